package com.example.chat;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tok.api.Actor;
import dev.tok.api.ConnectionContext;
import dev.tok.api.OfflineException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The chat protocol, one UTF-8 line per frame:
 *
 * <ul>
 * <li>{@code send <to> <text>}: {@code <to>} gets {@code msg <from> <text>} (queued for a day when
 * offline); the sender gets {@code ack}, or {@code error <why>};</li>
 * <li>{@code online}: answered {@code online <uid>,<uid>,...}, sorted;</li>
 * <li>anything else: {@code error ...}; the connection stays open.</li>
 * </ul>
 *
 * <p>Replies go to the asking connection only; the hub comes from the connection.
 */
final class ChatActor implements Actor {

    /** How long a message for an offline user waits. */
    static final Duration TTL = Duration.ofDays(1);

    @Override
    public void onReceive(ConnectionContext connection, byte[] payload) {
        String line = new String(payload, UTF_8);
        if (line.equals("online")) {
            List<String> users = new ArrayList<>(connection.hub().online());
            Collections.sort(users);
            reply(connection, "online " + String.join(",", users));
            return;
        }
        String[] parts = line.split(" ", 3);
        if (parts.length < 3 || !parts[0].equals("send") || !TokenAuthenticator.UID.matcher(parts[1]).matches()) {
            reply(connection, "error expected 'send <to> <text>' or 'online'");
            return;
        }
        byte[] msg = ("msg " + connection.device().uid() + " " + parts[2]).getBytes(UTF_8);
        connection.hub().send(parts[1], msg, TTL).whenComplete((result, failure) -> {
            Throwable f = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            reply(connection, f == null ? "ack" : f instanceof OfflineException ? "error offline" : "error " + f.getMessage());
        });
    }

    private static void reply(ConnectionContext connection, String text) {
        connection.reply(text.getBytes(UTF_8));
    }
}
