package dev.tok.api.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A send routed to another node: the payload to write to the user's connections held there (all
 * of them, or one device's), as given to {@code Hub.send}; the receiving hub applies its
 * {@code BeforeSend} and writes it. Never queued by the receiving node: queueing is the sending
 * hub's decision. Immutable; the payload array is not copied and must not be changed.
 *
 * <p>In at-least-once delivery the message is in the user's log (the shared queue) before it is
 * routed, and the send is a {@link #logAppended} notice instead: it carries the message's id, no
 * payload, and the receiving hub's connections read the log after what each was given.
 *
 * @since 0.1
 */
public final class ClusterSend {

    private final String uid;
    private final String deviceId;
    private final byte[] payload;
    private final long logId;

    private ClusterSend(String uid, String deviceId, byte[] payload, long logId) {
        this.uid = Objects.requireNonNull(uid, "uid");
        this.deviceId = deviceId;
        this.payload = Objects.requireNonNull(payload, "payload");
        this.logId = logId;
    }

    /**
     * @param uid     the user
     * @param payload the bytes
     * @return a send to every connection of the user on the receiving node
     */
    public static ClusterSend toUser(String uid, byte[] payload) {
        return new ClusterSend(uid, null, payload, 0);
    }

    /**
     * @param uid      the user
     * @param deviceId the device
     * @param payload  the bytes
     * @return a send to the connections of that device on the receiving node
     */
    public static ClusterSend toDevice(String uid, String deviceId, byte[] payload) {
        return new ClusterSend(uid, Objects.requireNonNull(deviceId, "deviceId"), payload, 0);
    }

    /**
     * At-least-once delivery: the user's message log grew to {@code id}; the receiving hub's
     * connections of the user catch up from the log. Idempotent: a notice that is lost or arrives
     * late delays a delivery until the next notice, acknowledgement or login, and loses nothing.
     *
     * @param uid the user
     * @param id  the id of the message appended; positive
     * @return the notice, with an empty payload
     * @since 0.1
     */
    public static ClusterSend logAppended(String uid, long id) {
        if (id <= 0) {
            throw new IllegalArgumentException("a log id is positive, was " + id);
        }
        return new ClusterSend(uid, null, new byte[0], id);
    }

    /** @return the user */
    public String uid() {
        return uid;
    }

    /** @return the device when the send targets one device, else empty */
    public Optional<String> deviceId() {
        return Optional.ofNullable(deviceId);
    }

    /** @return the id of the log message a {@link #logAppended} notice announces; 0 for a send with a payload */
    public long logId() {
        return logId;
    }

    /** @return the bytes (not a copy) */
    public byte[] payload() {
        return payload;
    }

    @Override
    public String toString() {
        return "ClusterSend[" + uid + (deviceId == null ? "" : "/" + deviceId)
                + (logId > 0 ? ", log id " + logId + "]" : ", " + payload.length + " bytes]");
    }
}
