package dev.tok.transport.jetty;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an HTTP/1 connection whose WebSocket upgrade request has not fully arrived within a
 * deadline of its accept, however slowly it trickles in: the slowloris defence Jetty's idle
 * timeout does not give (it restarts with every byte). The deadline ends when the head of an
 * upgrade request at tok's path arrived (the hub's auth timeout then bounds the authenticator,
 * and a refused upgrade closes the connection) or when the connection closes. The standalone {@code jetty-ws} transport installs it on
 * its connector with the hub's auth timeout; an application that
 * {@linkplain JettyWebSocketMount mounts} the transport installs it on the connector that serves
 * tok's WebSocket path:
 *
 * <!-- sample: JettyJavadocSamples.java#handshake-deadline -->
 * <pre>{@code
 * ServerConnector connector = new ServerConnector(server);
 * tokMount.installHandshakeDeadline(connector); // follows the hub's auth timeout
 * // or, with a fixed deadline: HandshakeDeadline.install(connector, Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>It applies to every HTTP/1 connection of that connector: one that serves only plain HTTP
 * requests (not upgrades at tok's path) is closed at the deadline too, keep-alive or not. Serve
 * long HTTP traffic (downloads, long polling) on another connector.
 *
 * <p>Thread-safe; the close runs on the connector's scheduler thread.
 *
 * @since 0.1
 */
public final class HandshakeDeadline implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(HandshakeDeadline.class);

    private final Scheduler scheduler;
    private final LongSupplier millis;
    private final Map<Connection, Scheduler.Task> timers = new ConcurrentHashMap<>();

    private HandshakeDeadline(Scheduler scheduler, LongSupplier millis) {
        this.scheduler = scheduler;
        this.millis = millis;
    }

    /**
     * Adds a deadline to every connection the connector accepts from now on.
     *
     * @param connector the connector serving tok's WebSocket path; not null
     * @param deadline  how long after accept the upgrade must have happened; positive, not null
     * @return the installed listener (a bean of the connector)
     * @throws IllegalArgumentException if the deadline is not positive
     */
    public static HandshakeDeadline install(AbstractConnector connector, Duration deadline) {
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the handshake deadline must be positive, was " + deadline);
        }
        long millis = deadline.toMillis();
        return install(connector, () -> millis);
    }

    /**
     * @param connector the connector; not null
     * @param millis    the deadline in milliseconds, read at each accept; positive
     * @return the installed listener
     */
    static HandshakeDeadline install(AbstractConnector connector, LongSupplier millis) {
        HandshakeDeadline listener = new HandshakeDeadline(connector.getScheduler(), millis);
        connector.addBean(listener);
        return listener;
    }

    /** Starts the deadline of an HTTP connection (not of a TLS layer below it, nor of a WebSocket after the upgrade). */
    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof ConnectionMetaData) {
            timers.put(connection, scheduler.schedule(() -> expire(connection), millis.getAsLong(), TimeUnit.MILLISECONDS));
        }
    }

    /** The HTTP connection ended: closed, or replaced by the WebSocket connection of an upgrade. */
    @Override
    public void onClosed(Connection connection) {
        Scheduler.Task task = timers.remove(connection);
        if (task != null) {
            task.cancel();
        }
    }

    private void expire(Connection connection) {
        if (timers.remove(connection) == null) {
            return;
        }
        // Still the endpoint's connection: no upgrade replaced it.
        if (connection.getEndPoint().getConnection() == connection && connection.getEndPoint().isOpen()) {
            LOG.debug("closing {}: no WebSocket upgrade within {} ms of accept", connection.getEndPoint().getRemoteSocketAddress(),
                    millis.getAsLong());
            connection.getEndPoint().close();
        }
    }

    /**
     * The head of an upgrade request arrived at tok's path in time: its connection's deadline
     * ends (the hub's auth timeout bounds the authenticator from here on).
     *
     * @param request the upgrade request
     */
    static void requestArrived(Request request) {
        Connector connector = request.getConnectionMetaData().getConnector();
        if (connector instanceof ContainerLifeCycle) {
            Connection connection = request.getConnectionMetaData().getConnection();
            for (HandshakeDeadline deadline : ((ContainerLifeCycle) connector).getBeans(HandshakeDeadline.class)) {
                deadline.onClosed(connection);
            }
        }
    }

    /** @return connections whose deadline is running; for tests and diagnostics */
    int pending() {
        return timers.size();
    }
}
