package dev.tok.api.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A send routed to another node: the payload to write to the user's connections held there (all
 * of them, or one device's), as given to {@code Hub.send}; the receiving hub applies its
 * {@code BeforeSend} and writes it. Never queued by the receiving node: queueing is the sending
 * hub's decision. Immutable; the payload array is not copied and must not be changed.
 *
 * @since 0.1
 */
public final class ClusterSend {

    private final String uid;
    private final String deviceId;
    private final byte[] payload;

    private ClusterSend(String uid, String deviceId, byte[] payload) {
        this.uid = Objects.requireNonNull(uid, "uid");
        this.deviceId = deviceId;
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /**
     * @param uid     the user
     * @param payload the bytes
     * @return a send to every connection of the user on the receiving node
     */
    public static ClusterSend toUser(String uid, byte[] payload) {
        return new ClusterSend(uid, null, payload);
    }

    /**
     * @param uid      the user
     * @param deviceId the device
     * @param payload  the bytes
     * @return a send to the connections of that device on the receiving node
     */
    public static ClusterSend toDevice(String uid, String deviceId, byte[] payload) {
        return new ClusterSend(uid, Objects.requireNonNull(deviceId, "deviceId"), payload);
    }

    /** @return the user */
    public String uid() {
        return uid;
    }

    /** @return the device when the send targets one device, else empty */
    public Optional<String> deviceId() {
        return Optional.ofNullable(deviceId);
    }

    /** @return the bytes (not a copy) */
    public byte[] payload() {
        return payload;
    }

    @Override
    public String toString() {
        return "ClusterSend[" + uid + (deviceId == null ? "" : "/" + deviceId) + ", " + payload.length + " bytes]";
    }
}
