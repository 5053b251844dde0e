package dev.tok.api.spi;

import java.util.Objects;

/**
 * What became of a routed send on one remote connection.
 *
 * @param nodeId       the node holding the connection
 * @param connectionId the connection, as registered by that node
 * @param status       what happened
 * @since 0.1
 */
public record RemoteWrite(String nodeId, String connectionId, Status status) {

    /** Checks that no component is {@code null}. */
    public RemoteWrite {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(status, "status");
    }

    /** The outcome of the write on one connection. */
    public enum Status {
        /** The holding node wrote it. */
        WRITTEN,
        /** The holding node tried and the write failed (or the connection closed meanwhile). */
        FAILED,
        /**
         * The holding node did not answer within the route timeout, or is not listening (it
         * died, or the engine is unreachable): the write may or may not have happened.
         */
        NO_ANSWER
    }
}
