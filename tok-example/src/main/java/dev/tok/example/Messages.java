package dev.tok.example;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
 * <p>Reading rejects trailing data after the object and duplicate field names. A client frame is
 * read as a stream of tokens into a {@link Frame} (no tree of the whole object), and its
 * {@code body} is forwarded as the very bytes the client sent, once the parser has checked them:
 * numbers keep their exact value and scale ({@code 1.50} stays {@code 1.50}). Writing a message is
 * copying bytes: sender, body and time need no JSON tree either.
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

    /**
     * Reads one value where the parser is (trailing data is checked by {@link #read} itself: this
     * reader reads values inside the frame, which other tokens follow).
     */
    private static final ObjectReader VALUE_READER = MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonNodeFactory NODES = MAPPER.getNodeFactory();

    /** {@code {"type":"ping"}}. */
    static final byte[] PING = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);

    private Messages() {
    }

    /**
     * The fields of a client frame the protocol reads; other fields are checked and skipped.
     *
     * @param notObject  when the frame is not a JSON object: the value it is (a missing node for an
     *                   empty frame); null for an object, whose fields follow
     * @param type       {@code type}; null when absent or JSON {@code null}
     * @param cid        {@code cid}; null when absent or JSON {@code null}
     * @param to         {@code to}; null when absent or JSON {@code null}
     * @param frame      the frame, for the body's bytes
     * @param bodyStart  where {@code body}'s value starts in {@code frame}; -1 when absent
     * @param bodyEnd    where it ends (exclusive)
     * @param ttl        {@code ttl}; null when absent or JSON {@code null}
     * @param id         {@code id}; null when absent or JSON {@code null}
     */
    record Frame(JsonNode notObject, JsonNode type, JsonNode cid, JsonNode to, byte[] frame, int bodyStart, int bodyEnd,
            JsonNode ttl, JsonNode id) {

        /** @return true when the frame has a {@code body} */
        boolean hasBody() {
            return bodyStart >= 0;
        }
    }

    /**
     * Reads a client frame token by token: strings and numbers of the fields the protocol reads
     * become small value nodes, {@code body} is only checked and located (its bytes are forwarded
     * as sent), anything else is checked and skipped.
     *
     * @param frame a client frame
     * @return its fields, or the value it is when it is not an object
     * @throws IOException when the frame is not one JSON value in UTF-8 (duplicate field names and
     *                     trailing data included)
     */
    static Frame read(byte[] frame) throws IOException {
        try (JsonParser p = MAPPER.createParser(frame)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new Frame(NODES.missingNode(), null, null, null, frame, -1, -1, null, null);
            }
            if (t != JsonToken.START_OBJECT) {
                JsonNode value = VALUE_READER.readTree(p);
                requireEnd(p);
                return new Frame(value, null, null, null, frame, -1, -1, null, null);
            }
            JsonNode type = null;
            JsonNode cid = null;
            JsonNode to = null;
            JsonNode ttl = null;
            JsonNode id = null;
            int bodyStart = -1;
            int bodyEnd = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type":
                        type = value(p, value);
                        break;
                    case "cid":
                        cid = value(p, value);
                        break;
                    case "to":
                        to = value(p, value);
                        break;
                    case "ttl":
                        ttl = value(p, value);
                        break;
                    case "id":
                        id = value(p, value);
                        break;
                    case "body":
                        bodyStart = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        if (value == JsonToken.VALUE_STRING) {
                            p.getTextLength(); // reads (and checks) the string up to its closing quote
                        }
                        bodyEnd = (int) p.currentLocation().getByteOffset();
                        break;
                    default:
                        p.skipChildren(); // a scalar is checked when the next token is read
                }
            }
            requireEnd(p);
            return new Frame(null, type, cid, to, frame, bodyStart, bodyEnd, ttl, id);
        }
    }

    /** @return the current value as a node: strings and integers without a tree, anything else with one */
    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.INT || p.getNumberType() == JsonParser.NumberType.LONG) {
                    return NODES.numberNode(p.getLongValue());
                }
                return VALUE_READER.readTree(p);
            case VALUE_NULL:
                return null; // as absent
            default:
                return VALUE_READER.readTree(p);
        }
    }

    /** Nothing may follow the frame's value. */
    private static void requireEnd(JsonParser p) throws IOException {
        JsonToken extra = p.nextToken();
        if (extra != null) {
            throw new JsonParseException(p, "trailing data after the JSON value: " + extra);
        }
    }

    private static final byte[] MSG_FROM = "{\"type\":\"msg\",\"from\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MSG_BODY = "\",\"body\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MSG_TS = ",\"ts\":".getBytes(StandardCharsets.UTF_8);

    /**
     * @param from  a user id ({@link TokenAuthenticator#isId}: nothing to escape)
     * @param frame the client frame holding the body: checked JSON at {@code frame[start, end)}
     * @param start where the body starts in {@code frame}
     * @param end   where it ends (exclusive)
     * @param ts    the server's time, epoch milliseconds
     * @return {@code {"type":"msg","from":..,"body":..,"ts":..}}
     * @throws IllegalArgumentException if {@code from} is not a user id
     */
    static byte[] msg(String from, byte[] frame, int start, int end, long ts) {
        if (!TokenAuthenticator.isId(from)) { // nothing to escape in a user id
            throw new IllegalArgumentException("not a user id (1 to 64 of A-Z a-z 0-9 _ . -): " + from);
        }
        String time = Long.toString(ts);
        int bodyLength = end - start;
        byte[] out = new byte[MSG_FROM.length + from.length() + MSG_BODY.length + bodyLength + MSG_TS.length + time.length() + 1];
        int at = put(out, 0, MSG_FROM);
        for (int i = 0; i < from.length(); i++) {
            out[at++] = (byte) from.charAt(i);
        }
        at = put(out, at, MSG_BODY);
        System.arraycopy(frame, start, out, at, bodyLength);
        at += bodyLength;
        at = put(out, at, MSG_TS);
        for (int i = 0; i < time.length(); i++) {
            out[at++] = (byte) time.charAt(i);
        }
        out[at] = '}';
        return out;
    }

    private static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
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
