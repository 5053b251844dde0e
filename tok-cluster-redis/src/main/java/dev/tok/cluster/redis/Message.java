package dev.tok.cluster.redis;

import dev.tok.api.spi.RemoteWrite;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message between nodes, published on the receiving node's inbox channel. Binary:
 * {@code version, type, correlation id, sender node}, then per type: a send request (uid,
 * optional device, payload), its response (connection id and status per connection), a kick
 * request (uid), its response (count), a takeover (uid, epoch, connection ids).
 *
 * @param type        what it is
 * @param correlation pairs a response with its request (0 for a takeover)
 * @param from        the sending node
 * @param uid         the user (requests and takeovers; empty in responses)
 * @param deviceId    the device of a send request, or {@code null} for every device
 * @param payload     a send request's bytes, else empty
 * @param statuses    a send response's outcomes by connection id, else empty
 * @param count       a kick response's count, a takeover's epoch, or a send request's log id
 *                    (at-least-once notice; 0 for a send with a payload)
 * @param connections a takeover's replaced connection ids, else empty
 */
record Message(Type type, long correlation, String from, String uid, String deviceId, byte[] payload,
        Map<String, RemoteWrite.Status> statuses, long count, List<String> connections) {

    private static final int VERSION = 1;
    private static final byte[] NONE = new byte[0];

    /** The kinds of message. */
    enum Type {
        SEND, SEND_REPLY, KICK, KICK_REPLY, TAKEOVER
    }

    static Message send(long correlation, String from, String uid, String deviceId, byte[] payload, long logId) {
        return new Message(Type.SEND, correlation, from, uid, deviceId, payload, Map.of(), logId, List.of());
    }

    static Message sendReply(long correlation, String from, Map<String, RemoteWrite.Status> statuses) {
        return new Message(Type.SEND_REPLY, correlation, from, "", null, NONE, statuses, 0, List.of());
    }

    static Message kick(long correlation, String from, String uid) {
        return new Message(Type.KICK, correlation, from, uid, null, NONE, Map.of(), 0, List.of());
    }

    static Message kickReply(long correlation, String from, long count) {
        return new Message(Type.KICK_REPLY, correlation, from, "", null, NONE, Map.of(), count, List.of());
    }

    static Message takeover(String from, String uid, long epoch, List<String> connections) {
        return new Message(Type.TAKEOVER, 0, from, uid, null, NONE, Map.of(), epoch, connections);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + payload.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(type.ordinal());
            out.writeLong(correlation);
            out.writeUTF(from);
            out.writeUTF(uid);
            out.writeBoolean(deviceId != null);
            if (deviceId != null) {
                out.writeUTF(deviceId);
            }
            out.writeInt(payload.length);
            out.write(payload);
            out.writeInt(statuses.size());
            for (Map.Entry<String, RemoteWrite.Status> e : statuses.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeByte(e.getValue().ordinal());
            }
            out.writeLong(count);
            out.writeInt(connections.size());
            for (String c : connections) {
                out.writeUTF(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param bytes a published message
     * @return the message
     * @throws IOException when it is not one of this version
     */
    static Message decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("message version " + version + ", expected " + VERSION + " (nodes of different tok versions?)");
        }
        int t = in.readUnsignedByte();
        if (t >= Type.values().length) {
            throw new IOException("unknown message type " + t);
        }
        Type type = Type.values()[t];
        long correlation = in.readLong();
        String from = in.readUTF();
        String uid = in.readUTF();
        String device = in.readBoolean() ? in.readUTF() : null;
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        int n = in.readInt();
        Map<String, RemoteWrite.Status> statuses = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String c = in.readUTF();
            int s = in.readUnsignedByte();
            statuses.put(c, s < RemoteWrite.Status.values().length ? RemoteWrite.Status.values()[s] : RemoteWrite.Status.FAILED);
        }
        long count = in.readLong();
        int m = in.readInt();
        List<String> connections = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            connections.add(in.readUTF());
        }
        return new Message(type, correlation, from, uid, device, payload, statuses, count, connections);
    }
}
