package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A client connection of the at-least-once protocol ({@code --delivery at-least-once}) and the
 * msgs that arrived before the answer to its first online request: at login, the messages of the
 * log for the device are written before the answer to the first request.
 */
final class AtLeastOnceSession implements AutoCloseable {
    final ChatClient client;
    private final ArrayDeque<JsonNode> early;

    private AtLeastOnceSession(ChatClient client, List<JsonNode> early) {
        this.client = client;
        this.early = new ArrayDeque<>(early);
    }

    /**
     * Logs in and waits for the answer to an online request; the log's messages for the device
     * come before it, and are kept for {@link #nextMsg()}.
     */
    static AtLeastOnceSession login(ChatServer server, String transport, String token) {
        ChatClient c = Servers.connect(server, transport, token);
        return new AtLeastOnceSession(c, untilOnline(c));
    }

    /** @return the next msg: one that arrived at login, or else the next frame, which must be a msg */
    JsonNode nextMsg() {
        JsonNode n = early.isEmpty() ? client.nextJson() : early.poll();
        assertThat(n.path("type").asText()).as("a msg: %s", n).isEqualTo("msg");
        return n;
    }

    /** Sends {@code text} to {@code to} with a client id and a ttl of 600 s. */
    void send(String to, String text, String cid) {
        client.send("{\"type\":\"send\",\"to\":\"" + to + "\",\"body\":\"" + text + "\",\"cid\":\"" + cid + "\",\"ttl\":600}");
    }

    /**
     * Acknowledges up to {@code id}, then waits until the server has stored it (its next answer
     * follows the ack).
     *
     * @return the msgs that arrived before that answer
     */
    List<JsonNode> acknowledge(long id) {
        client.send("{\"type\":\"received\",\"id\":" + id + "}");
        return untilOnline(client);
    }

    /** @return the msgs that arrived before the answer to an online request */
    List<JsonNode> untilOnline() {
        return untilOnline(client);
    }

    private static List<JsonNode> untilOnline(ChatClient c) {
        c.send("{\"type\":\"online\"}");
        List<JsonNode> msgs = new ArrayList<>();
        while (true) {
            JsonNode n = c.nextJson();
            if (n.path("type").asText().equals("online")) {
                return msgs;
            }
            msgs.add(n);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
