package dev.tok.api;

/**
 * A connection was refused because a connection limit would be exceeded: the user's
 * {@link HubConfig#maxConnectionsPerUser()} (with sso off), a {@link SessionPolicy} that refused
 * the login, or a transport's {@code max-connections} or
 * {@code max-connections-per-ip}. The message names the limit, its value and the setting that
 * raises it. Transports close such a connection with {@link CloseReason#CONNECTION_LIMIT}
 * (WebSocket transports answer HTTP 503 before the upgrade where they can).
 *
 * @since 0.1
 */
public class ConnectionLimitException extends TokException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message which limit, its value, and the setting that raises it
     */
    public ConnectionLimitException(String message) {
        super(message);
    }
}
