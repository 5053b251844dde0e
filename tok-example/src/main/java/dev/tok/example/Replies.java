package dev.tok.example;

import dev.tok.api.BeforeSend;
import dev.tok.api.Device;
import dev.tok.api.TokException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Addresses a reply ({@code ack}, {@code error}, {@code online}) to the one connection that asked.
 *
 * <p>The hub sends to users, not to connections: {@code Hub.send(uid, ..)} writes to every
 * connection of the uid, which with {@code --sso false} may be several. So a reply is sent to the
 * asker's uid wrapped as {@code 0x00 <connection number> 0x00 <json>}, and this
 * {@link BeforeSend} hook, which sees every frame once per connection, unwraps it for the asking
 * connection and fails the write (without closing anything) for the others. Every other frame
 * ({@code msg}, pings, byes) starts with {@code {} and passes unchanged.
 */
final class Replies implements BeforeSend {

    private static final byte MARK = 0;

    /** Fails the write of a reply to a connection it is not meant for. */
    private static final TokException NOT_THIS_CONNECTION = new TokException("reply for another connection of this user") {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    /**
     * Wraps a reply for one connection.
     *
     * @param asker the device of the connection that asked
     * @param json  the reply
     * @return the payload to give to {@code Hub.send(asker.uid(), .., Duration.ZERO)}
     */
    static byte[] to(Device asker, byte[] json) {
        byte[] id = asker.metadata().getOrDefault(TokenAuthenticator.CONNECTION, "").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[id.length + 2 + json.length];
        out[0] = MARK;
        System.arraycopy(id, 0, out, 1, id.length);
        out[id.length + 1] = MARK;
        System.arraycopy(json, 0, out, id.length + 2, json.length);
        return out;
    }

    @Override
    public byte[] beforeSend(Device device, byte[] payload) {
        if (payload.length == 0 || payload[0] != MARK) {
            return payload;
        }
        int end = 1;
        while (end < payload.length && payload[end] != MARK) {
            end++;
        }
        String target = new String(payload, 1, end - 1, StandardCharsets.US_ASCII);
        if (end >= payload.length || !target.equals(device.metadata().get(TokenAuthenticator.CONNECTION))) {
            throw NOT_THIS_CONNECTION;
        }
        return Arrays.copyOfRange(payload, end + 1, payload.length);
    }
}
