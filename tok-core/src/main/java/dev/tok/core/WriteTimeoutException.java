package dev.tok.core;

import dev.tok.api.TokException;

/**
 * Why a write counts as failed when its transport did not complete it within the hub's bound
 * (twice the write timeout): the hub closed the connection with
 * {@link dev.tok.api.CloseReason#WRITE_TIMEOUT}. Appears in {@link dev.tok.api.Delivery#failure()}.
 */
final class WriteTimeoutException extends TokException {
    private static final long serialVersionUID = 1L;

    WriteTimeoutException(HubConnection conn) {
        super("the transport did not complete a write to " + conn + " within twice the write timeout; connection closed");
    }
}
