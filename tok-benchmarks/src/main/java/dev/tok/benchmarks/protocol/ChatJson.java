package dev.tok.benchmarks.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.regex.Pattern;

/**
 * The example chat protocol (issue 5): one UTF-8 JSON object per frame. A small, strict,
 * allocation-light reader for the client frames ({@code send}, {@code online}, {@code pong}) and
 * writers for the server frames. Shared by the no-hub baseline server and the hub-backed
 * benchmark server, so that comparing the two measures the hub, not two JSON libraries.
 */
public final class ChatJson {

    /** Uids the protocol accepts. */
    public static final Pattern UID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** Default ttl of a send without one, seconds. */
    public static final long DEFAULT_TTL = 86_400;

    private ChatJson() {
    }

    /** A parsed client frame. Mutable and reusable: {@link #parse} overwrites every field. */
    public static final class Request {
        /** {@code send}, {@code online}, {@code pong} or another string the server rejects. */
        public String type;
        /** Recipient of a send. */
        public String to;
        /** The raw body JSON: {@code payload[bodyStart, bodyEnd)}; -1 when absent. */
        public int bodyStart = -1;
        /** End of the raw body (exclusive). */
        public int bodyEnd = -1;
        /** Seconds; {@link #DEFAULT_TTL} when absent. */
        public long ttl = DEFAULT_TTL;
        /** Client id, or null. */
        public String cid;

        void reset() {
            type = null;
            to = null;
            bodyStart = -1;
            bodyEnd = -1;
            ttl = DEFAULT_TTL;
            cid = null;
        }
    }

    /** A malformed frame; the message is what the error frame says. */
    public static final class BadFrame extends Exception {
        private static final long serialVersionUID = 1L;

        BadFrame(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses a client frame.
     *
     * @param p   the frame
     * @param out receives the fields
     * @throws BadFrame if it is not a JSON object or a field has the wrong type
     */
    public static void parse(byte[] p, Request out) throws BadFrame {
        out.reset();
        Reader r = new Reader(p);
        r.ws();
        r.expect('{');
        r.ws();
        if (r.peek() == '}') {
            r.pos++;
        } else {
            while (true) {
                r.ws();
                String key = r.string();
                r.ws();
                r.expect(':');
                r.ws();
                switch (key) {
                    case "type":
                        out.type = r.stringValue("type");
                        break;
                    case "to":
                        out.to = r.stringValue("to");
                        break;
                    case "cid":
                        out.cid = r.nullableString("cid");
                        break;
                    case "ttl":
                        out.ttl = r.number("ttl");
                        break;
                    case "body":
                        out.bodyStart = r.pos;
                        r.skipValue(0);
                        out.bodyEnd = r.pos;
                        break;
                    default:
                        r.skipValue(0);
                }
                r.ws();
                int c = r.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw new BadFrame("malformed JSON: expected ',' or '}' at " + (r.pos - 1));
                }
            }
        }
        r.ws();
        if (r.pos != p.length) {
            throw new BadFrame("malformed JSON: trailing data at " + r.pos);
        }
        if (out.type == null) {
            throw new BadFrame("missing \"type\"");
        }
    }

    /**
     * {@code {"type":"msg","from":<from>,"body":<body>,"ts":<ts>}}.
     *
     * @param from      sender uid (protocol-valid: needs no escaping)
     * @param p         the send frame holding the body
     * @param bodyStart body start in {@code p}
     * @param bodyEnd   body end in {@code p}
     * @param ts        epoch millis
     * @return the frame
     */
    public static byte[] msg(String from, byte[] p, int bodyStart, int bodyEnd, long ts) {
        int bodyLen = bodyStart < 0 ? 4 : bodyEnd - bodyStart;
        // exact size, so the frame is allocated once: 22 + from + 10 + body + 6 + digits + 1
        Writer w = new Writer(39 + from.length() + bodyLen + Long.toString(ts).length());
        w.ascii("{\"type\":\"msg\",\"from\":\"").ascii(from).ascii("\",\"body\":");
        if (bodyStart < 0) {
            w.ascii("null");
        } else {
            w.bytes(p, bodyStart, bodyEnd);
        }
        w.ascii(",\"ts\":").number(ts).ascii("}");
        return w.toArray();
    }

    /**
     * @param cid the client id
     * @return {@code {"type":"ack","cid":<cid>}}
     */
    public static byte[] ack(String cid) {
        Writer w = new Writer(24 + cid.length());
        w.ascii("{\"type\":\"ack\",\"cid\":").string(cid).ascii("}");
        return w.toArray();
    }

    /**
     * @param cid   the client id or null
     * @param error the text
     * @return {@code {"type":"error","cid":<cid|null>,"error":<error>}}
     */
    public static byte[] error(String cid, String error) {
        Writer w = new Writer(40 + error.length());
        w.ascii("{\"type\":\"error\",\"cid\":");
        if (cid == null) {
            w.ascii("null");
        } else {
            w.string(cid);
        }
        w.ascii(",\"error\":").string(error).ascii("}");
        return w.toArray();
    }

    /**
     * @param sortedUsers uids, sorted
     * @return {@code {"type":"online","users":[...]}}
     */
    public static byte[] online(Collection<String> sortedUsers) {
        Writer w = new Writer(32 + sortedUsers.size() * 12);
        w.ascii("{\"type\":\"online\",\"users\":[");
        boolean first = true;
        for (String u : sortedUsers) {
            if (!first) {
                w.ascii(",");
            }
            first = false;
            w.string(u);
        }
        w.ascii("]}");
        return w.toArray();
    }

    /** @return {@code {"type":"ping"}} */
    public static byte[] ping() {
        return "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);
    }

    /** @return {@code {"type":"bye","reason":"sso"}} */
    public static byte[] byeSso() {
        return "{\"type\":\"bye\",\"reason\":\"sso\"}".getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a token: {@code uid} or {@code uid/deviceId}.
     *
     * @param token the auth payload
     * @return {uid, deviceId}, or null when invalid
     */
    public static String[] token(String token) {
        int slash = token.indexOf('/');
        String uid = slash < 0 ? token : token.substring(0, slash);
        String device = slash < 0 ? "" : token.substring(slash + 1);
        if (!UID.matcher(uid).matches()) {
            return null;
        }
        return new String[] {uid, device};
    }

    // ---------------------------------------------------------------- reader

    private static final class Reader {
        final byte[] p;
        int pos;

        Reader(byte[] p) {
            this.p = p;
        }

        int peek() throws BadFrame {
            if (pos >= p.length) {
                throw new BadFrame("malformed JSON: unexpected end");
            }
            return p[pos];
        }

        int next() throws BadFrame {
            int c = peek();
            pos++;
            return c;
        }

        void expect(char c) throws BadFrame {
            if (next() != c) {
                throw new BadFrame("malformed JSON: expected '" + c + "' at " + (pos - 1));
            }
        }

        void ws() {
            while (pos < p.length && (p[pos] == ' ' || p[pos] == '\n' || p[pos] == '\r' || p[pos] == '\t')) {
                pos++;
            }
        }

        String stringValue(String field) throws BadFrame {
            if (peek() != '"') {
                throw new BadFrame("\"" + field + "\" must be a string");
            }
            return string();
        }

        String nullableString(String field) throws BadFrame {
            if (peek() == 'n') {
                literal("null");
                return null;
            }
            return stringValue(field);
        }

        long number(String field) throws BadFrame {
            int start = pos;
            boolean neg = false;
            if (peek() == '-') {
                neg = true;
                pos++;
            }
            long v = 0;
            int digits = 0;
            while (pos < p.length && p[pos] >= '0' && p[pos] <= '9') {
                if (digits++ > 17) {
                    throw new BadFrame("\"" + field + "\" is too large");
                }
                v = v * 10 + (p[pos++] - '0');
            }
            if (digits == 0 || (pos < p.length && (p[pos] == '.' || p[pos] == 'e' || p[pos] == 'E'))) {
                pos = start;
                throw new BadFrame("\"" + field + "\" must be a whole number");
            }
            return neg ? -v : v;
        }

        /** Reads a JSON string; fast path for ASCII without escapes. */
        String string() throws BadFrame {
            expect('"');
            int start = pos;
            boolean simple = true;
            while (true) {
                int c = next();
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    simple = false;
                    next();
                } else if (c < 0) {
                    simple = false;
                } else if (c < 0x20) {
                    throw new BadFrame("malformed JSON: control character in a string");
                }
            }
            if (simple) {
                return new String(p, start, pos - 1 - start, StandardCharsets.ISO_8859_1);
            }
            return decode(start, pos - 1);
        }

        private String decode(int start, int end) throws BadFrame {
            StringBuilder sb = new StringBuilder(end - start);
            int i = start;
            while (i < end) {
                int j = i;
                while (j < end && p[j] != '\\') {
                    j++;
                }
                sb.append(new String(p, i, j - i, StandardCharsets.UTF_8));
                if (j >= end) {
                    break;
                }
                char e = (char) p[j + 1];
                i = j + 2;
                switch (e) {
                    case '"':
                    case '\\':
                    case '/':
                        sb.append(e);
                        break;
                    case 'b':
                        sb.append('\b');
                        break;
                    case 'f':
                        sb.append('\f');
                        break;
                    case 'n':
                        sb.append('\n');
                        break;
                    case 'r':
                        sb.append('\r');
                        break;
                    case 't':
                        sb.append('\t');
                        break;
                    case 'u':
                        if (i + 4 > end) {
                            throw new BadFrame("malformed JSON: bad \\u escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(new String(p, i, 4, StandardCharsets.US_ASCII), 16));
                        } catch (NumberFormatException ex) {
                            throw new BadFrame("malformed JSON: bad \\u escape");
                        }
                        i += 4;
                        break;
                    default:
                        throw new BadFrame("malformed JSON: bad escape \\" + e);
                }
            }
            return sb.toString();
        }

        void literal(String word) throws BadFrame {
            for (int i = 0; i < word.length(); i++) {
                if (next() != word.charAt(i)) {
                    throw new BadFrame("malformed JSON at " + (pos - 1));
                }
            }
        }

        void skipValue(int depth) throws BadFrame {
            if (depth > 64) {
                throw new BadFrame("JSON nested too deeply");
            }
            int c = peek();
            switch (c) {
                case '"':
                    string();
                    return;
                case '{':
                    pos++;
                    ws();
                    if (peek() == '}') {
                        pos++;
                        return;
                    }
                    while (true) {
                        ws();
                        string();
                        ws();
                        expect(':');
                        ws();
                        skipValue(depth + 1);
                        ws();
                        int n = next();
                        if (n == '}') {
                            return;
                        }
                        if (n != ',') {
                            throw new BadFrame("malformed JSON: expected ',' or '}' at " + (pos - 1));
                        }
                    }
                case '[':
                    pos++;
                    ws();
                    if (peek() == ']') {
                        pos++;
                        return;
                    }
                    while (true) {
                        ws();
                        skipValue(depth + 1);
                        ws();
                        int n = next();
                        if (n == ']') {
                            return;
                        }
                        if (n != ',') {
                            throw new BadFrame("malformed JSON: expected ',' or ']' at " + (pos - 1));
                        }
                    }
                case 't':
                    literal("true");
                    return;
                case 'f':
                    literal("false");
                    return;
                case 'n':
                    literal("null");
                    return;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        int start = pos;
                        while (pos < p.length && "+-0123456789.eE".indexOf(p[pos]) >= 0) {
                            pos++;
                        }
                        if (pos == start) {
                            throw new BadFrame("malformed JSON at " + start);
                        }
                        return;
                    }
                    throw new BadFrame("malformed JSON: unexpected character at " + pos);
            }
        }
    }

    // ---------------------------------------------------------------- writer

    private static final class Writer {
        private byte[] buf;
        private int len;

        Writer(int capacity) {
            buf = new byte[capacity];
        }

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }

        Writer ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) s.charAt(i);
            }
            return this;
        }

        Writer bytes(byte[] src, int from, int to) {
            ensure(to - from);
            System.arraycopy(src, from, buf, len, to - from);
            len += to - from;
            return this;
        }

        Writer number(long v) {
            return ascii(Long.toString(v));
        }

        Writer string(String s) {
            ensure(s.length() + 2);
            buf[len++] = '"';
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    ensure(2);
                    buf[len++] = '\\';
                    buf[len++] = (byte) c;
                } else if (c < 0x20) {
                    ascii(String.format("\\u%04x", (int) c));
                } else if (c < 0x80) {
                    ensure(1);
                    buf[len++] = (byte) c;
                } else {
                    byte[] u = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                    if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                        u = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                        i++;
                    }
                    bytes(u, 0, u.length);
                }
            }
            ensure(1);
            buf[len++] = '"';
            return this;
        }

        byte[] toArray() {
            return len == buf.length ? buf : java.util.Arrays.copyOf(buf, len);
        }
    }
}
