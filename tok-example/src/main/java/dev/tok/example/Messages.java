package dev.tok.example;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The example's JSON: reading client frames strictly and writing the server's messages, with the
 * fields in the documented order.
 *
 * <p>Reading rejects trailing data after the object and duplicate field names; numbers keep their
 * exact value and scale ({@code 1.50} stays {@code 1.50}), so a {@code body} is forwarded as sent.
 */
final class Messages {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private static final ObjectReader READER = MAPPER.reader();
    private static final JsonNodeFactory NODES = MAPPER.getNodeFactory();

    /** {@code {"type":"ping"}}. */
    static final byte[] PING = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);

    private Messages() {
    }

    /**
     * @param frame a client frame
     * @return the parsed value (may be a non-object or a missing node for an empty frame)
     * @throws IOException when the frame is not one JSON value in UTF-8
     */
    static JsonNode read(byte[] frame) throws IOException {
        return READER.readTree(frame);
    }

    /** @return {@code {"type":"msg","from":..,"body":..,"ts":..}} */
    static byte[] msg(String from, JsonNode body, long ts) {
        ObjectNode n = NODES.objectNode();
        n.put("type", "msg");
        n.put("from", from);
        n.set("body", body);
        n.put("ts", ts);
        return bytes(n);
    }

    private static final byte[] MSG_PREFIX = "{\"type\":\"msg\",".getBytes(StandardCharsets.UTF_8);

    /**
     * Puts a message id into a {@link #msg} without parsing it: {@code {"type":"msg","id":42,"from":..}}
     * (after the type; any other object gets it first).
     *
     * @param id  the hub's message id (at-least-once mode)
     * @param msg a JSON object as {@link #msg} wrote it
     * @return the object with {@code "id"}
     */
    static byte[] withId(long id, byte[] msg) {
        int at = startsWith(msg, MSG_PREFIX) ? MSG_PREFIX.length : 1;
        byte[] field = ("\"id\":" + id + ",").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[msg.length + field.length];
        System.arraycopy(msg, 0, out, 0, at);
        System.arraycopy(field, 0, out, at, field.length);
        System.arraycopy(msg, at, out, at + field.length, msg.length - at);
        return out;
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length > prefix.length && java.util.Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** @return {@code {"type":"ack","cid":..}} */
    static byte[] ack(String cid) {
        ObjectNode n = NODES.objectNode();
        n.put("type", "ack");
        n.put("cid", cid);
        return bytes(n);
    }

    /** @return {@code {"type":"error","cid":..|null,"error":..}} */
    static byte[] error(String cid, String error) {
        ObjectNode n = NODES.objectNode();
        n.put("type", "error");
        if (cid == null) {
            n.putNull("cid");
        } else {
            n.put("cid", cid);
        }
        n.put("error", error);
        return bytes(n);
    }

    /** @return {@code {"type":"online","users":[..]}} with the users as given */
    static byte[] online(Collection<String> sortedUsers) {
        ObjectNode n = NODES.objectNode();
        n.put("type", "online");
        ArrayNode users = n.putArray("users");
        sortedUsers.forEach(users::add);
        return bytes(n);
    }

    /** @return {@code {"type":"bye","reason":..}} */
    static byte[] bye(String reason) {
        ObjectNode n = NODES.objectNode();
        n.put("type", "bye");
        n.put("reason", reason);
        return bytes(n);
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }
}
