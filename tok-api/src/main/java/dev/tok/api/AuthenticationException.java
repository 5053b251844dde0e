package dev.tok.api;

/**
 * An {@link Authenticator} rejected a connection. WebSocket transports answer the upgrade
 * request with {@link #status()} and never upgrade; stream transports close the connection.
 *
 * @since 0.1
 */
public class AuthenticationException extends TokException {

    private static final long serialVersionUID = 1L;

    /** The HTTP status for WebSocket transports. */
    private final int status;

    /**
     * A rejection answered with HTTP 401 by WebSocket transports.
     *
     * @param message why; logged, never sent to the peer
     */
    public AuthenticationException(String message) {
        this(message, 401);
    }

    /**
     * @param message why; logged, never sent to the peer
     * @param status  the HTTP status WebSocket transports answer with: 401 or 403
     */
    public AuthenticationException(String message, int status) {
        super(message);
        if (status != 401 && status != 403) {
            throw new IllegalArgumentException("status must be 401 or 403, was " + status);
        }
        this.status = status;
    }

    /** @return the HTTP status for WebSocket transports: 401 or 403 */
    public int status() {
        return status;
    }
}
