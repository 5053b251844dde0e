package dev.tok.example;

import dev.tok.api.ConnectionContext;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.BeforeSend;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.transport.jetty.JettyWebSocketMount;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat server: a tok hub with three listeners, assembled through the public API only.
 *
 * <ul>
 * <li>{@code tcp}: the TCP transport, found by name through {@code ServiceLoader};</li>
 * <li>{@code jetty-ws}: the Jetty WebSocket transport mounted at {@code /ws} into this class's
 * own Jetty {@link Server}, which serves the chat page at {@code /} on the same port (a page and
 * its WebSocket on one origin pass the transport's Origin check);</li>
 * <li>{@code netty-ws}: the Netty WebSocket transport at {@code /ws}, found by name;</li>
 * </ul>
 * and the {@code memory}, {@code chronicle} or {@code redis} queue, found by name; with
 * {@code --cluster redis}, the {@code redis} cluster (tok-cluster-redis, found by name) on the same
 * Redis, so that several servers act as one hub. With {@code --metrics-port},
 * the hub's meters ({@code tok-metrics-micrometer}) are served in Prometheus' text format at
 * {@code /metrics} on that port ({@link MetricsEndpoint}).
 */
public final class ChatServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChatServer.class);
    private static final String PAGE = "dev/tok/example/web/";

    private final Server jetty;
    private final TokServer tok;
    private final List<TokServer.Listener> listeners;
    /** The Prometheus endpoint; null without {@code --metrics-port}. */
    private final MetricsEndpoint metrics;
    /** This node's id in the cluster; null without {@code --cluster}. */
    private final String nodeId;

    private ChatServer(Server jetty, TokServer tok, MetricsEndpoint metrics, String nodeId) {
        this.jetty = jetty;
        this.nodeId = nodeId;
        this.tok = tok;
        this.metrics = metrics;
        // however tok closes (close() or the shutdown hook), the web servers (jetty-ws, metrics) stop after it
        tok.closeFuture().whenComplete((v, e) -> {
            stop(jetty);
            if (metrics != null) {
                metrics.close();
            }
        });
        this.listeners = tok.listeners();
    }

    /**
     * Starts the server as the options say.
     *
     * @param options the command line
     * @return the running server
     * @throws dev.tok.api.TokException when a listener cannot bind or the queue cannot open
     */
    public static ChatServer start(Options options) {
        return start(options, Map.of());
    }

    /**
     * Starts the server with extra queue settings (tests bound the queue with them).
     *
     * @param options       the command line
     * @param queueSettings added to the queue's settings
     * @return the running server
     */
    static ChatServer start(Options options, Map<String, String> queueSettings) {
        return start(options, queueSettings, Map.of());
    }

    /**
     * Starts the server with extra queue and cluster settings (tests shorten timeouts with them).
     *
     * @param options         the command line
     * @param queueSettings   added to the queue's settings
     * @param clusterSettings added to the cluster's settings (ignored without {@code --cluster})
     * @return the running server
     */
    static ChatServer start(Options options, Map<String, String> queueSettings, Map<String, String> clusterSettings) {
        // The meters exist before the hub (the hub reports to them) and need nothing from it.
        MetricsEndpoint metrics = options.metricsPort().isPresent()
                ? MetricsEndpoint.start(options.host(), options.metricsPort().getAsInt()) : null;
        HubConfig.Builder builder = HubConfig.builder()
                .authenticator(new TokenAuthenticator())
                .actor(new ChatActor())
                // ChatActor parses and calls Hub.send/reply/acknowledge, which never block: it runs on
                // the transport's I/O thread, without a hand-off per frame. In a cluster its "online"
                // command calls Hub.online(), which asks Redis and blocks: then it runs on the actor pool.
                .nonBlockingActor(options.cluster().isEmpty())
                .pingGenerator(() -> Messages.PING)
                .byeGenerator((kicker, reason, device) -> Optional.of(Messages.bye(reason)))
                .connectHook(ChatServer::connected)
                .closeHook(ChatServer::closed)
                .sso(options.sso())
                .pingInterval(options.pingInterval())
                .readTimeout(options.readTimeout())
                .delivery(options.delivery())
                .beforeSend(new BeforeSend() {
                    @Override
                    public byte[] beforeSend(Device device, byte[] payload) {
                        return payload;
                    }

                    @Override
                    public byte[] beforeSend(Device device, long id, byte[] payload) {
                        return Messages.withId(id, payload); // at-least-once: every msg carries its id
                    }
                });
        if (metrics != null) {
            builder.observer(metrics.tokMetrics());
        }
        HubConfig config = builder.build();

        Map<String, String> queue = new LinkedHashMap<>();
        if (options.queue().equals("chronicle")) {
            queue.put("directory", options.dataDir().toString());
        }
        if (options.queue().equals("redis")) {
            queue.put("uri", options.redisUri().orElseThrow());
        }
        queue.putAll(queueSettings);

        // With a cluster the node id is chosen here (not by the provider), so that it can be printed.
        String nodeId = options.cluster().isEmpty() ? null : options.nodeId().orElseGet(ChatServer::newNodeId);
        Map<String, String> cluster = new LinkedHashMap<>();
        if (nodeId != null) {
            cluster.put("uri", options.redisUri().orElseThrow());
            cluster.put("node-id", nodeId);
            options.lease().ifPresent(lease -> cluster.put("lease", lease.toSeconds() + "s"));
            cluster.putAll(clusterSettings);
        }

        String maxFrame = Integer.toString(options.maxFrame());
        JettyWebSocketMount mount = JettyWebSocketMount.create(
                edge(options, Map.of("path", "/ws", "max-message-size", maxFrame)));
        Server jetty = jetty(options, mount.handler());
        TokServer tok = null;
        try {
            jetty.start();
            TokServer.Builder server = TokServer.builder(config);
            options.cluster().ifPresent(name -> server.cluster(name, cluster)); // TokServer refuses memory, chronicle
            tok = server
                    .queue(options.queue(), queue)
                    .transport("tcp", edge(options, Map.of("host", options.host(), "port", Integer.toString(options.tcpPort()),
                            "max-frame-length", maxFrame)))
                    .transport(mount.transport())
                    .transport("netty-ws", edge(options, Map.of("host", options.host(),
                            "port", Integer.toString(options.nettyWsPort()), "path", "/ws", "max-message-size", maxFrame)))
                    .build()
                    .start();
            return new ChatServer(jetty, tok, metrics, nodeId);
        } catch (Exception e) {
            if (tok != null) {
                tok.close();
            }
            stop(jetty);
            if (metrics != null) {
                metrics.close();
            }
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new dev.tok.api.TokException("the web server could not start on " + options.host() + ":" + options.wsPort()
                    + ": " + e.getMessage(), e);
        }
    }

    private static Server jetty(Options options, Handler mountHandler) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("example-web");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(options.host());
        connector.setPort(options.wsPort());
        server.addConnector(connector);

        server.setHandler(new Handler.Sequence(mountHandler, new PageHandler(PAGE)));
        server.setStopTimeout(2_000);
        return server;
    }

    private static void connected(ConnectionContext connection) {
        LOG.debug("{} connected over {} from {}", connection.device(), connection.transport(), connection.remoteAddress());
    }

    private static void closed(Device device, dev.tok.api.CloseReason reason) {
        LOG.debug("{} disconnected: {}", device, reason);
    }

    /** @return the listeners in start order: tcp, jetty-ws, netty-ws */
    public List<TokServer.Listener> listeners() {
        return listeners;
    }

    /**
     * @param transport {@code tcp}, {@code jetty-ws} or {@code netty-ws}
     * @return the bound address of that listener
     */
    public InetSocketAddress address(String transport) {
        SocketAddress a = tok.address(transport).orElseThrow(() -> new IllegalArgumentException("no listener " + transport));
        return (InetSocketAddress) a;
    }

    /**
     * @return the lines printed at start: with a cluster {@code tok node <id>} first, one per
     *         listener, then {@code tok ready}
     */
    public List<String> startLines() {
        List<String> lines = new ArrayList<>();
        if (nodeId != null) {
            lines.add("tok node " + nodeId);
        }
        for (TokServer.Listener l : listeners) {
            lines.add("tok listening " + l.transport() + " " + hostPort(l.address()));
        }
        if (metrics != null) {
            lines.add("tok listening metrics " + hostPort(metrics.address()));
        }
        lines.add("tok ready");
        return lines;
    }

    static String hostPort(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) address;
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            return host + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * Closes the server when the JVM shuts down (Ctrl-C, {@code kill}), through
     * {@link TokServer#closeOnShutdown()}.
     *
     * @return this server
     */
    public ChatServer closeOnShutdown() {
        tok.closeOnShutdown();
        return this;
    }

    /** @return completed once the server has closed, see {@link TokServer#closeFuture()} */
    public CompletionStage<Void> closeFuture() {
        return tok.closeFuture();
    }

    /**
     * Blocks until the server has closed, see {@link TokServer#join()}.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void join() throws InterruptedException {
        tok.join();
    }

    /** @return the address of the Prometheus endpoint ({@code /metrics}); empty without {@code --metrics-port} */
    public Optional<InetSocketAddress> metricsAddress() {
        return metrics == null ? Optional.empty() : Optional.of(metrics.address());
    }

    /** @return this node's id in the cluster; empty without {@code --cluster} */
    public Optional<String> nodeId() {
        return Optional.ofNullable(nodeId);
    }

    /** @return {@code node-} and 8 random hex digits, as tok-cluster-redis generates them */
    private static String newNodeId() {
        return String.format(java.util.Locale.ROOT, "node-%08x", new java.security.SecureRandom().nextInt());
    }

    /** @return the hub */
    public Hub hub() {
        return tok.hub();
    }

    /**
     * Adds the edge settings: {@code max-connections} from {@code --max-connections}, and those of
     * {@code --edge-limits}: with {@code off} (the default) a transport's per-IP caps, inbound rate
     * limits and auth-failure bans are off, as every client of a server on loopback shares one address.
     */
    private static Map<String, String> edge(Options options, Map<String, String> settings) {
        Map<String, String> out = new LinkedHashMap<>(settings);
        out.put("max-connections", Integer.toString(options.maxConnections()));
        if (options.edgeLimits()) {
            return out;
        }
        for (String off : List.of("max-connections-per-ip", "max-unauthenticated-per-ip", "rate-limit-frames-per-second",
                "rate-limit-bytes-per-second", "auth-failure-limit")) {
            out.put(off, "0");
        }
        return out;
    }

    /** Stops the listeners, the hub and its queue, then the web server. Idempotent. */
    @Override
    public void close() {
        try {
            tok.close();
        } finally {
            stop(jetty);
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    private static void stop(Server jetty) {
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("the web server did not stop cleanly", e);
        }
    }
}
