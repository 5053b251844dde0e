package dev.tok.api;

/**
 * Why a connection was closed: what the {@link CloseHook} (and the metrics) learn, and what a
 * WebSocket client reads from the close frame. Each reason has a WebSocket close code, a short
 * reason text sent with it, and whether a client should reconnect (with backoff) or not, in the
 * manner of Centrifugo's disconnect codes.
 *
 * <p>Close codes: the RFC 6455 codes where one fits ({@code 1000}, {@code 1001}, {@code 1002},
 * {@code 1007}, {@code 1008}, {@code 1009}, {@code 1011}, {@code 1013}), else tok's own codes in
 * the private range ({@code 4001}-{@code 4009}). Whether to reconnect is {@link #reconnect()},
 * not a range of numbers. {@link #PEER_CLOSED} and {@link #IO_ERROR}
 * are never sent (the peer closed, or the socket failed); their codes ({@code 1000},
 * {@code 1006}) are what a client observes. On TCP, where there is no close frame, an
 * application that wants the client to know sends a payload first (the bye frame).
 *
 * <table class="striped">
 * <caption>Close codes</caption>
 * <thead><tr><th>reason</th><th>code</th><th>text</th><th>reconnect</th></tr></thead>
 * <tbody>
 * <tr><td>{@link #PEER_CLOSED}</td><td>1000</td><td>peer closed</td><td>yes</td></tr>
 * <tr><td>{@link #SERVER_SHUTDOWN}</td><td>1001</td><td>server shutdown</td><td>yes</td></tr>
 * <tr><td>{@link #PROTOCOL_ERROR}</td><td>1002</td><td>protocol error</td><td>no</td></tr>
 * <tr><td>{@link #IO_ERROR}</td><td>1006</td><td>i/o error</td><td>yes</td></tr>
 * <tr><td>{@link #INVALID_PAYLOAD}</td><td>1007</td><td>invalid payload</td><td>no</td></tr>
 * <tr><td>{@link #AUTH_FAILED}</td><td>1008</td><td>auth failed</td><td>no</td></tr>
 * <tr><td>{@link #FRAME_TOO_LARGE}</td><td>1009</td><td>frame too large</td><td>no</td></tr>
 * <tr><td>{@link #SERVER_ERROR}</td><td>1011</td><td>server error</td><td>yes</td></tr>
 * <tr><td>{@link #CONNECTION_LIMIT}</td><td>1013</td><td>connection limit</td><td>yes</td></tr>
 * <tr><td>{@link #SSO_REPLACED}</td><td>4001</td><td>replaced</td><td>no</td></tr>
 * <tr><td>{@link #KICKED}</td><td>4002</td><td>kicked</td><td>no</td></tr>
 * <tr><td>{@link #AUTH_TIMEOUT}</td><td>4003</td><td>auth timeout</td><td>yes</td></tr>
 * <tr><td>{@link #READ_TIMEOUT}</td><td>4004</td><td>read timeout</td><td>yes</td></tr>
 * <tr><td>{@link #WRITE_TIMEOUT}</td><td>4005</td><td>write timeout</td><td>yes</td></tr>
 * <tr><td>{@link #SLOW_CONSUMER}</td><td>4006</td><td>slow consumer</td><td>yes</td></tr>
 * <tr><td>{@link #RATE_LIMITED}</td><td>4008</td><td>rate limited</td><td>yes</td></tr>
 * <tr><td>{@link #BANNED}</td><td>4009</td><td>banned</td><td>no</td></tr>
 * </tbody>
 * </table>
 *
 * @since 0.1
 */
public enum CloseReason {
    /** The peer closed the connection (close frame or end of stream). */
    PEER_CLOSED(1000, "peer closed", true),
    /** Single sign-on: a newer connection of the same user replaced this one. */
    SSO_REPLACED(4001, "replaced", false),
    /** The application kicked the user ({@link Hub#kick}). */
    KICKED(4002, "kicked", false),
    /** The authenticator rejected the connection. */
    AUTH_FAILED(1008, "auth failed", false),
    /** The auth frame (TCP) or the whole upgrade request (WebSocket) did not arrive within the auth timeout. */
    AUTH_TIMEOUT(4003, "auth timeout", true),
    /** Nothing arrived from the peer for the read timeout. */
    READ_TIMEOUT(4004, "read timeout", true),
    /** A write did not complete within the write timeout. */
    WRITE_TIMEOUT(4005, "write timeout", true),
    /** The peer reads too slowly: its unwritten bytes stayed too high for too long, or passed the cap. */
    SLOW_CONSUMER(4006, "slow consumer", true),
    /** A frame or message was longer than the transport's maximum. */
    FRAME_TOO_LARGE(1009, "frame too large", false),
    /** The peer broke the wire protocol. */
    PROTOCOL_ERROR(1002, "protocol error", false),
    /** A text message was not valid UTF-8, or a payload was otherwise unacceptable to the transport. */
    INVALID_PAYLOAD(1007, "invalid payload", false),
    /** The peer sent more frames or bytes per second than the connection's or user's rate limit allows. */
    RATE_LIMITED(4008, "rate limited", true),
    /** The server (hub or transport) is shutting down. */
    SERVER_SHUTDOWN(1001, "server shutdown", true),
    /** A connection limit ({@code max-connections}, per IP, per user) refused the connection. */
    CONNECTION_LIMIT(1013, "connection limit", true),
    /** The peer's address is banned for a while after repeated failed authentications. */
    BANNED(4009, "banned", false),
    /** The hub or the transport failed unexpectedly. */
    SERVER_ERROR(1011, "server error", true),
    /** The socket failed (reset, broken pipe); nothing is sent. */
    IO_ERROR(1006, "i/o error", true);

    private final int code;
    private final String text;
    private final boolean reconnect;

    CloseReason(int code, String text, boolean reconnect) {
        this.code = code;
        this.text = text;
        this.reconnect = reconnect;
    }

    /** @return the WebSocket close code (RFC 6455 or tok's {@code 40xx}); see the table above */
    public int code() {
        return code;
    }

    /** @return the short reason text sent in the WebSocket close frame, for example {@code "rate limited"}; never null */
    public String text() {
        return text;
    }

    /**
     * @return whether a client should reconnect (after a backoff) when closed for this reason;
     *         false when reconnecting would fail the same way or was not wanted (replaced, kicked,
     *         rejected credentials, broken protocol)
     */
    public boolean reconnect() {
        return reconnect;
    }

    /**
     * @return whether a transport sends {@link #code()} in a close frame; false for
     *         {@link #PEER_CLOSED} and {@link #IO_ERROR}, which only record what happened
     */
    public boolean sent() {
        return this != PEER_CLOSED && this != IO_ERROR;
    }
}
