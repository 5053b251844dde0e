package dev.tok.example;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tok.api.Actor;
import dev.tok.api.CacheFailedException;
import dev.tok.api.ConnectionContext;
import dev.tok.api.DeliveryFailedException;
import dev.tok.api.DeliveryMode;
import dev.tok.api.Hub;
import dev.tok.api.HubClosedException;
import dev.tok.api.OfflineException;
import dev.tok.api.QueueFullException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat protocol: parses each client frame as one JSON object and acts on its {@code type}.
 *
 * <ul>
 * <li>{@code send}: builds {@code {"type":"msg","from","body","ts"}} and hands it to
 * {@link Hub#send} with the given ttl; answers {@code ack} (when the send carried a {@code cid})
 * once the message was delivered or queued, or {@code error} ({@code offline}, {@code queue full},
 * ...).</li>
 * <li>{@code online}: answers {@code {"type":"online","users":[..]}}, sorted.</li>
 * <li>{@code pong}: accepted, nothing answered.</li>
 * <li>{@code received} (at-least-once mode): {@code {"type":"received","id":N}} acknowledges every
 * message up to id N on this device ({@link ConnectionContext#acknowledge}); nothing answered.
 * In at-least-once mode a {@code send} with a {@code cid} goes through
 * {@link ConnectionContext#sendOnce}: a repeat of the cid from this device is answered again and
 * delivered once.</li>
 * <li>anything else, malformed JSON included: answers {@code error}; the connection stays open.</li>
 * </ul>
 *
 * <p>Never blocks (without a cluster: {@code Hub.online()} asks Redis in one), so it is declared
 * non-blocking and runs on the transport's I/O thread that read the frame; frames are read token
 * by token and a message's body is forwarded as the bytes the client sent ({@link Messages}).
 * Replies go only to the asking connection
 * ({@link ConnectionContext#reply}); the hub comes from the connection too
 * ({@link ConnectionContext#hub}), so the actor needs no reference of its own and works from
 * the first frame on.
 */
final class ChatActor implements Actor {

    private static final Logger LOG = LoggerFactory.getLogger(ChatActor.class);

    /** ttl of a send without one: one day. */
    static final long DEFAULT_TTL_SECONDS = 86_400;
    /** Largest ttl accepted: ten years. */
    static final long MAX_TTL_SECONDS = 3650L * 86_400;

    @Override
    public void onReceive(ConnectionContext connection, byte[] payload) {
        Messages.Frame frame;
        try {
            frame = Messages.read(payload);
        } catch (JsonProcessingException e) {
            reply(connection, Messages.error(null, "malformed JSON: " + e.getOriginalMessage()));
            return;
        } catch (IOException e) {
            reply(connection, Messages.error(null, "malformed JSON: " + e.getMessage()));
            return;
        }
        if (frame.notObject() != null) {
            reply(connection, frame.notObject().isMissingNode() ? Messages.error(null, "empty frame: expected a JSON object")
                    : Messages.error(null, "expected a JSON object, got " + kind(frame.notObject())));
            return;
        }
        JsonNode cidNode = frame.cid();
        String cid = null;
        if (cidNode != null) { // JSON null reads as absent
            if (!cidNode.isTextual()) {
                reply(connection, Messages.error(null, "field 'cid' must be a string, got " + kind(cidNode)));
                return;
            }
            cid = cidNode.textValue();
        }
        JsonNode type = frame.type();
        if (type == null || !type.isTextual()) {
            reply(connection, Messages.error(cid, "field 'type' must be a string: send, online or pong"));
            return;
        }
        switch (type.textValue()) {
            case "send":
                send(connection, frame, cid);
                break;
            case "online":
                List<String> users = new ArrayList<>(connection.hub().online());
                Collections.sort(users);
                reply(connection, Messages.online(users));
                break;
            case "pong":
                break;
            case "received":
                if (atLeastOnce(connection)) {
                    received(connection, frame, cid);
                } else {
                    unknownType(connection, cid, type.textValue()); // at-most-once: the protocol as before the mode
                }
                break;
            default:
                unknownType(connection, cid, type.textValue());
        }
    }

    private static boolean atLeastOnce(ConnectionContext connection) {
        return connection.hub().config().delivery() == DeliveryMode.AT_LEAST_ONCE;
    }

    private static void unknownType(ConnectionContext connection, String cid, String type) {
        reply(connection, Messages.error(cid, "unknown type '" + type + "': expected send, online"
                + (atLeastOnce(connection) ? ", received" : "") + " or pong"));
    }

    private void send(ConnectionContext from, Messages.Frame frame, String cid) {
        JsonNode to = frame.to();
        if (to == null || !to.isTextual() || !TokenAuthenticator.isId(to.textValue())) {
            reply(from, Messages.error(cid, "field 'to' must be a user id: 1 to 64 of A-Z a-z 0-9 _ . -"));
            return;
        }
        if (!frame.hasBody()) {
            reply(from, Messages.error(cid, "missing field 'body'"));
            return;
        }
        long ttl = DEFAULT_TTL_SECONDS;
        JsonNode ttlNode = frame.ttl();
        if (ttlNode != null) { // JSON null reads as absent
            if (!ttlNode.isIntegralNumber() || !ttlNode.canConvertToLong() || ttlNode.longValue() < 0
                    || ttlNode.longValue() > MAX_TTL_SECONDS) {
                reply(from, Messages.error(cid, "field 'ttl' must be a whole number of seconds from 0 to " + MAX_TTL_SECONDS));
                return;
            }
            ttl = ttlNode.longValue();
        }
        String recipient = to.textValue();
        byte[] msg = Messages.msg(from.device().uid(), frame.frame(), frame.bodyStart(), frame.bodyEnd(),
                System.currentTimeMillis());
        boolean once = cid != null && atLeastOnce(from);
        (once ? from.sendOnce(cid, recipient, msg, Duration.ofSeconds(ttl))
                : from.hub().send(recipient, msg, Duration.ofSeconds(ttl))).whenComplete((result, failure) -> {
            if (failure == null) {
                if (cid != null) {
                    reply(from, Messages.ack(cid));
                }
            } else {
                reply(from, Messages.error(cid, describe(recipient, failure)));
            }
        });
    }

    private void received(ConnectionContext from, Messages.Frame frame, String cid) {
        JsonNode id = frame.id();
        if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || id.longValue() < 0) {
            reply(from, Messages.error(cid, "field 'id' must be the id of the last message received, a whole number"));
            return;
        }
        from.acknowledge(id.longValue());
    }

    private static String describe(String recipient, Throwable failure) {
        Throwable f = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (f instanceof OfflineException) {
            return "offline";
        }
        if (f instanceof CacheFailedException) {
            if (f.getCause() instanceof QueueFullException) {
                return "queue full";
            }
            if (f.getCause() instanceof HubClosedException) {
                return "server stopping";
            }
            LOG.warn("the queue did not take a message for {}", recipient, f);
            return "queue failed";
        }
        if (f instanceof DeliveryFailedException) {
            return "delivery failed";
        }
        if (f instanceof HubClosedException) {
            return "server stopping";
        }
        LOG.warn("sending to {} failed", recipient, f);
        return "send failed";
    }

    private static void reply(ConnectionContext asker, byte[] json) {
        asker.reply(json).whenComplete((r, e) -> {
            if (e != null) {
                LOG.debug("reply to {} not written: {}", asker, e.toString());
            }
        });
    }

    private static String kind(JsonNode n) {
        switch (n.getNodeType()) {
            case ARRAY:
                return "an array";
            case OBJECT:
                return "an object";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            default:
                return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
