package dev.tok.transport.jetty;

import dev.tok.transport.jetty.internal.JettyWsConnection;
import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The Jetty WebSocket endpoint of one tok connection. Not for applications: it is public, in an
 * exported package, only because Jetty 12 invokes endpoint methods through
 * {@code MethodHandles.publicLookup()}, which reaches public classes of unconditionally exported
 * packages only. It has no public constructor.
 *
 * <p>Reading uses explicit demand: the next frame is requested after a message was handed to
 * the hub, unless the hub paused reading.
 *
 * @since 0.1
 */
public final class JettyEndpoint implements Session.Listener {

    private final JettyWsConnection connection;

    JettyEndpoint(JettyWsConnection connection) {
        this.connection = connection;
    }

    /** Jetty callback: registers the connection with the hub and starts reading. */
    @Override
    public void onWebSocketOpen(Session session) {
        connection.opened(session);
    }

    /** Jetty callback: a whole text message, fragments joined. */
    @Override
    public void onWebSocketText(String message) {
        connection.text(message);
    }

    /** Jetty callback: a whole binary message, fragments joined. */
    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        try {
            connection.binary(payload);
            callback.succeed();
        } catch (RuntimeException e) {
            callback.fail(e);
            throw e;
        }
        connection.binaryDone();
    }

    /** Jetty callback: a pong answered one of the transport's pings (or came unsolicited). */
    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        connection.pong(payload.remaining());
    }

    /**
     * Jetty callback: the peer pinged. Answered with a pong carrying the same payload (Jetty does
     * not answer pings of an endpoint that overrides this method).
     */
    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        connection.ping(payload);
    }

    /** Jetty callback: the connection failed; {@link #onWebSocketClose} follows. */
    @Override
    public void onWebSocketError(Throwable cause) {
        connection.failed(cause);
    }

    /** Jetty callback: the connection is closed. */
    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        connection.closedByJetty(statusCode, reason);
    }
}
