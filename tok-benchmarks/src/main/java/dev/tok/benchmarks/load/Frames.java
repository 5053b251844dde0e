package dev.tok.benchmarks.load;

import dev.tok.benchmarks.protocol.ChatJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds the load tool's send frames and reads what comes back. */
final class Frames {

    private Frames() {
    }

    /** A parsed server frame, reused per event loop. */
    static final class In {
        final ChatJson.Request r = new ChatJson.Request();
        byte[] payload;
        /** Body field "t" (sender's nanoTime), or Long.MIN_VALUE. */
        long t;
        /** Body field "s" (sequence), or -1. */
        long s;

        boolean is(String type) {
            return type.equals(r.type);
        }
    }

    /**
     * @return false when the frame is not a JSON object with a type (counted as an error by callers)
     */
    static boolean parse(byte[] payload, In in) {
        in.payload = payload;
        in.t = Long.MIN_VALUE;
        in.s = -1;
        try {
            ChatJson.parse(payload, in.r);
        } catch (ChatJson.BadFrame e) {
            return false;
        }
        if (in.r.bodyStart >= 0) {
            in.t = field(payload, in.r.bodyStart, in.r.bodyEnd, 't', Long.MIN_VALUE);
            in.s = field(payload, in.r.bodyStart, in.r.bodyEnd, 's', -1);
        }
        return true;
    }

    /** Reads {@code "<name>":<long>} inside a body span. */
    private static long field(byte[] p, int from, int to, char name, long absent) {
        for (int i = from; i + 4 < to; i++) {
            if (p[i] == '"' && p[i + 1] == name && p[i + 2] == '"' && p[i + 3] == ':') {
                int j = i + 4;
                boolean neg = false;
                if (j < to && p[j] == '-') {
                    neg = true;
                    j++;
                }
                long v = 0;
                int start = j;
                while (j < to && p[j] >= '0' && p[j] <= '9') {
                    v = v * 10 + (p[j++] - '0');
                }
                return j == start ? absent : (neg ? -v : v);
            }
        }
        return absent;
    }

    private static final byte[] MSG_WITH_ID = "{\"type\":\"msg\",\"id\":".getBytes(StandardCharsets.US_ASCII);

    /** @return the id of an at-least-once {@code msg} ({@code {"type":"msg","id":N,...}}); 0 without one */
    static long messageId(byte[] p) {
        if (p.length <= MSG_WITH_ID.length || !Arrays.equals(p, 0, MSG_WITH_ID.length, MSG_WITH_ID, 0, MSG_WITH_ID.length)) {
            return 0;
        }
        long v = 0;
        for (int j = MSG_WITH_ID.length; j < p.length && p[j] >= '0' && p[j] <= '9'; j++) {
            v = v * 10 + (p[j] - '0');
        }
        return v;
    }

    /** @return {@code {"type":"received","id":N}} */
    static byte[] received(long id) {
        return ("{\"type\":\"received\",\"id\":" + id + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A send frame whose body carries the intended send time and a sequence number, padded to
     * about {@code size} bytes.
     */
    static byte[] send(String to, long t, long seq, int size, String cid, long ttl) {
        StringBuilder sb = new StringBuilder(Math.max(64, size + 16));
        sb.append("{\"type\":\"send\",\"to\":\"").append(to).append("\",\"body\":{\"t\":").append(t).append(",\"s\":").append(seq);
        int pad = size - sb.length() - 8 - (ttl >= 0 ? 10 : 0) - (cid == null ? 0 : cid.length() + 9);
        if (pad > 0) {
            sb.append(",\"p\":\"");
            for (int i = 0; i < pad; i++) {
                sb.append('x');
            }
            sb.append('"');
        }
        sb.append('}');
        if (ttl >= 0) {
            sb.append(",\"ttl\":").append(ttl);
        }
        if (cid != null) {
            sb.append(",\"cid\":\"").append(cid).append('"');
        }
        sb.append('}');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
