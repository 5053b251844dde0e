package dev.tok.transport.jetty.internal;

import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import dev.tok.transport.jetty.HandshakeDeadline;
import dev.tok.transport.jetty.JettyWebSocketMount;
import dev.tok.transport.support.BindFailure;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.WsSettings;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone {@code jetty-ws} transport: its own embedded Jetty server (core handler API,
 * no servlets) with one connector, serving the same handler an application would mount.
 */
public final class JettyWsServerTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(JettyWsServerTransport.class);

    private final WsSettings settings;
    private final Map<String, String> mountSettings;
    private Server server;
    private Transport core;
    private CompletableFuture<Void> stopped;

    JettyWsServerTransport(WsSettings settings, Map<String, String> raw, java.util.Set<String> connectorKeys) {
        this.settings = settings;
        Map<String, String> m = new LinkedHashMap<>(raw);
        m.keySet().removeAll(connectorKeys);
        this.mountSettings = m;
    }

    @Override
    public String name() {
        return JettyWsCore.NAME;
    }

    @Override
    public synchronized CompletionStage<SocketAddress> start(TransportContext context) {
        if (server != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("transport 'jetty-ws' already started; a Transport starts once"));
        }
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("tok-jetty-ws");
        Server s = new Server(threads);
        s.setStopTimeout(1000);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector;
        if (settings.tls().isPresent()) {
            http.addCustomizer(new SecureRequestCustomizer());
            connector = new ServerConnector(s, new SslConnectionFactory(sslContextFactory(settings.tls().get()), "http/1.1"),
                    new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(s, new HttpConnectionFactory(http));
        }
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        // Before the upgrade: the whole request must have arrived and been upgraded within the
        // auth timeout of accept, however slowly it trickles (the idle timeout alone restarts with
        // every byte). After it, the WebSocket session's own timeouts apply.
        connector.setIdleTimeout(context.config().authTimeout().toMillis());
        HandshakeDeadline.install(connector, context.config().authTimeout());
        s.addConnector(connector);
        JettyWebSocketMount mount = JettyWebSocketMount.create(mountSettings);
        s.setHandler(new NotUpgradeHandler(mount.handler(), settings.path()));
        try {
            s.start();
        } catch (Exception e) {
            stopQuietly(s);
            return CompletableFuture.failedFuture(BindFailure.of("jetty-ws", settings.host(), settings.port(), e));
        }
        server = s;
        core = mount.transport();
        return core.start(context).whenComplete((a, e) -> {
            if (e != null) {
                stopQuietly(s);
            }
        });
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        Server s = server;
        if (s == null) {
            stopped = CompletableFuture.completedFuture(null);
            return stopped;
        }
        stopped = new CompletableFuture<>();
        core.stop().whenComplete((v, e) -> {
            Thread t = new Thread(() -> {
                stopQuietly(s);
                stopped.complete(null);
            }, "tok-jetty-ws-stop");
            t.setDaemon(true);
            t.start();
        });
        return stopped;
    }

    /**
     * @param tls the TLS material
     * @return Jetty's TLS configuration for a connector: the material's context, its protocols
     *         and client-certificate mode
     */
    public static SslContextFactory.Server sslContextFactory(ServerTls tls) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls.sslContext());
        ssl.setIncludeProtocols(ServerTls.PROTOCOLS.toArray(new String[0]));
        ssl.setNeedClientAuth(tls.clientAuth() == ServerTls.ClientAuth.REQUIRE);
        ssl.setWantClientAuth(tls.clientAuth() == ServerTls.ClientAuth.OPTIONAL);
        return ssl;
    }

    private static void stopQuietly(Server s) {
        try {
            s.stop();
        } catch (Exception e) {
            LOG.warn("stopping the jetty-ws server failed", e);
        }
    }

    /** Answers 400 to a request at the WebSocket path that is not an upgrade. */
    private static final class NotUpgradeHandler extends Handler.Wrapper {
        private final String path;

        NotUpgradeHandler(Handler handler, String path) {
            super(handler);
            this.path = path;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (super.handle(request, response, callback)) {
                return true;
            }
            if (path.equals(Request.getPathInContext(request))) {
                Response.writeError(request, response, callback, 400, "not a WebSocket upgrade request");
                return true;
            }
            return false;
        }
    }
}
