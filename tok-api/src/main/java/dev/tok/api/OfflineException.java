package dev.tok.api;

/**
 * The recipient of a send with a zero ttl has no online connection; nothing was stored. Go tok's {@code ErrOffline}.
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
}
