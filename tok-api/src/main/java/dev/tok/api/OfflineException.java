package dev.tok.api;

/**
 * The recipient of a send with a zero ttl has no online connection; nothing was stored. Go tok's
 * {@code ErrOffline}. Also the failure of {@link Hub#send(Device, byte[], java.time.Duration)}
 * when the device has no open connection, and of {@link ConnectionContext#reply(byte[])} when the
 * connection is closed.
 *
 * @since 0.1
 */
public class OfflineException extends TokException {

    private static final long serialVersionUID = 1L;

    /**
     * @param uid the recipient
     */
    public OfflineException(String uid) {
        super("tok: offline: user '" + uid + "' has no online connection and the ttl is zero");
    }

    /**
     * A device-targeted send or a reply found no open connection of the device.
     *
     * @param device the recipient
     * @since 0.1
     */
    public OfflineException(Device device) {
        super("tok: offline: device '" + device.deviceId() + "' of user '" + device.uid()
                + "' has no open connection to write to (device sends and replies are never queued)");
    }
}
