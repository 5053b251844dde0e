package dev.tok.api.spi;

import java.util.Objects;

/**
 * One connection as the cluster knows it: registered by the hub of the node that holds it.
 *
 * @param nodeId       the node holding the connection
 * @param connectionId the id the holding hub gave it, unique on that node
 * @param uid          the user
 * @param deviceId     the device
 * @param epoch        the user's login epoch it was registered with: later registrations of the
 *                     user get higher epochs, anywhere in the cluster
 * @since 0.1
 */
public record ClusterConnection(String nodeId, String connectionId, String uid, String deviceId, long epoch) {

    /** Checks that no component is {@code null}. */
    public ClusterConnection {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(deviceId, "deviceId");
    }
}
