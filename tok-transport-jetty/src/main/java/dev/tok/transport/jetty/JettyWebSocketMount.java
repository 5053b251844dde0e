package dev.tok.transport.jetty;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Transport;
import dev.tok.transport.jetty.internal.JettyWsCore;
import dev.tok.transport.support.WsSettings;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;

/**
 * Serves tok's WebSocket transport from an application's own Jetty 12 {@link Server}, on the
 * application's port, next to its other handlers.
 *
 * <!-- sample: JettyJavadocSamples.java#mount -->
 * <pre>{@code
 * JettyWebSocketMount tok = JettyWebSocketMount.create(JettyWsTransport.settings().path("/chat"));
 * server.setHandler(new Handler.Sequence(tok.handler(), appHandler));
 * server.start();
 * tok.installHandshakeDeadline(connector); // the connector serving tok's path: slowloris defence
 * TokServer tokServer = TokServer.builder(hubConfig).transport(tok.transport()).build().start();
 * }</pre>
 *
 * <p>The {@linkplain #handler() handler} answers WebSocket upgrade requests whose path in
 * context equals the {@code path} setting and returns {@code false} for every other request, so
 * that the next handler serves it. Requests arriving before the transport was started, or after
 * it stopped, get 503. Stopping the transport closes tok's connections with status 1001 and leaves
 * the server running.
 *
 * <p>Settings are those of the standalone {@code jetty-ws} transport except {@code host},
 * {@code port} and the {@code tls-*} keys, which belong to the application's connectors.
 *
 * @since 0.1
 */
public final class JettyWebSocketMount {

    /** The handshake deadline before the transport started: the hub's default auth timeout. */
    private static final long DEFAULT_HANDSHAKE_DEADLINE_MILLIS = 5_000;

    private final JettyWsCore core;
    private final MountHandler handler;

    private JettyWebSocketMount(WsSettings settings) {
        MountHandler[] h = new MountHandler[1];
        this.core = new JettyWsCore(settings, () -> serverAddress(h[0]));
        this.handler = new MountHandler(core);
        h[0] = handler;
    }

    /**
     * Creates a mount.
     *
     * @param settings the transport's settings (see the module's README), for example
     *                 {@code Map.of("path", "/chat", "allowed-origins", "https://app.example.com")}
     * @return the mount
     * @throws ConfigurationException for an unknown key, a connector setting or a malformed value
     */
    public static JettyWebSocketMount create(Map<String, String> settings) {
        Objects.requireNonNull(settings, "settings");
        Settings s = Settings.of("transport 'jetty-ws' (mounted)", settings);
        for (String key : settings.keySet()) {
            if (WsSettings.CONNECTOR_NAMES.contains(key)) {
                throw new ConfigurationException("setting '" + key + "' does not apply to a mounted 'jetty-ws' transport: "
                        + "host, port and TLS are those of your Jetty Server's connectors");
            }
        }
        Set<String> names = new TreeSet<>(WsSettings.COMMON_NAMES);
        names.removeAll(WsSettings.CONNECTOR_NAMES);
        return new JettyWebSocketMount(WsSettings.parse(s, names));
    }

    /**
     * Creates a mount from typed settings, for example
     * {@code JettyWebSocketMount.create(JettyWsTransport.settings().path("/chat"))}: the same as
     * {@link #create(Map) create(settings.asMap())}.
     *
     * @param settings the transport's settings; those of the connector ({@code host},
     *                 {@code port}, {@code tls-*}) are refused
     * @return the mount
     * @throws ConfigurationException for a connector setting or a malformed value
     */
    public static JettyWebSocketMount create(JettyWsTransport.Settings settings) {
        return create(Objects.requireNonNull(settings, "settings").asMap());
    }

    /** @return the Jetty handler to add to the application's server, for example in a {@code Handler.Sequence} */
    public Handler handler() {
        return handler;
    }

    /**
     * @return the transport to add with {@code TokServer.Builder.transport(Transport)}; starting
     *         it does not start the Jetty server
     */
    public Transport transport() {
        return core;
    }

    /**
     * Protects a connector of the application's server against upgrade requests that trickle in
     * (slowloris): every HTTP/1 connection it accepts must have been upgraded within the hub's
     * auth timeout ({@code HubConfig.authTimeout()}, read when the transport started; 5 s before
     * that), else it is closed. See {@link HandshakeDeadline} for what this means for plain HTTP
     * served on the same connector. Call it before the connector accepts tok's clients.
     *
     * @param connector the connector serving tok's WebSocket path; not null
     * @return the installed listener (a bean of the connector)
     */
    public HandshakeDeadline installHandshakeDeadline(AbstractConnector connector) {
        Objects.requireNonNull(connector, "connector");
        return HandshakeDeadline.install(connector, () -> {
            var context = core.context();
            return context == null ? DEFAULT_HANDSHAKE_DEADLINE_MILLIS : context.config().authTimeout().toMillis();
        });
    }

    private static SocketAddress serverAddress(MountHandler handler) {
        Server server = handler.getServer();
        if (server == null) {
            throw new ConfigurationException("the jetty-ws mount's handler() is not part of a Jetty Server: add it to your "
                    + "server's handler tree before starting the TokServer");
        }
        for (Connector c : server.getConnectors()) {
            if (c instanceof NetworkConnector) {
                NetworkConnector nc = (NetworkConnector) c;
                int port = nc.getLocalPort() > 0 ? nc.getLocalPort() : nc.getPort();
                String host = nc.getHost() == null ? "0.0.0.0" : nc.getHost();
                return new InetSocketAddress(host, port);
            }
        }
        throw new ConfigurationException("the Jetty Server holding the jetty-ws mount has no network connector");
    }
}
