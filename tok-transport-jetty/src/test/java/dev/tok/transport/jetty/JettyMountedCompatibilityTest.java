package dev.tok.transport.jetty;

import dev.tok.api.TokServer;
import dev.tok.api.spi.Settings;
import dev.tok.testkit.WebSocketTransportCompatibilityKit;
import dev.tok.transport.jetty.internal.JettyWsServerTransport;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.WsSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the shared WebSocket compatibility kit against {@code jetty-ws} mounted into an
 * application's own Jetty server, next to an application handler. Host, port and TLS settings
 * go to the application's connector, the rest to the mount.
 */
class JettyMountedCompatibilityTest extends WebSocketTransportCompatibilityKit {

    private final List<Server> servers = new CopyOnWriteArrayList<>();

    @Override
    protected void addTransport(TokServer.Builder builder, Map<String, String> settings) {
        Map<String, String> mount = new HashMap<>(settings);
        Map<String, String> connector = new HashMap<>();
        for (String key : WsSettings.CONNECTOR_NAMES) {
            String v = mount.remove(key);
            if (v != null) {
                connector.put(key, v);
            }
        }
        JettyWebSocketMount tok = JettyWebSocketMount.create(mount);
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        ServerConnector c;
        var tls = ServerTls.from(Settings.of("test connector", connector));
        if (tls.isPresent()) {
            SslContextFactory.Server ssl = JettyWsServerTransport.sslContextFactory(tls.get());
            http.addCustomizer(new SecureRequestCustomizer());
            c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            c = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        c.setHost(connector.get("host"));
        c.setPort(Integer.parseInt(connector.get("port")));
        tok.installHandshakeDeadline(c); // as the module's README tells applications to
        server.addConnector(c);
        server.setHandler(new Handler.Sequence(tok.handler(), new AppHandler()));
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        servers.add(server);
        builder.transport(tok.transport());
    }

    /** The application's Jetty server binds the port, not the mounted transport. */
    @Override
    protected void addTransportOnPort(TokServer.Builder builder, int port) {
        Assumptions.abort("a mounted jetty-ws binds no port: the application's Jetty server does");
    }

    @Override
    protected boolean releasesPortOnStop() {
        return false;
    }

    @AfterEach
    void stopJetty() throws Exception {
        for (Server s : servers) {
            s.stop();
        }
    }
}
