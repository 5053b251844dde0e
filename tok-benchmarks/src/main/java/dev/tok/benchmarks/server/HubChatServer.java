package dev.tok.benchmarks.server;

import dev.tok.api.AuthenticationException;
import dev.tok.api.CacheFailedException;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.OfflineException;
import dev.tok.api.QueueFullException;
import dev.tok.api.TokServer;
import dev.tok.benchmarks.protocol.ChatJson;
import dev.tok.benchmarks.util.Args;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/**
 * The example chat protocol on the tok hub and its {@code tcp} transport, with exactly the JSON
 * code of {@link dev.tok.benchmarks.baseline.BaselineServer}: run side by side, the two differ
 * only by the hub and the transport. The real example server ({@code tok-example}) is measured
 * as well; this one isolates the hub's share.
 *
 * <p>Usage: {@code java -cp tok-benchmarks.jar dev.tok.benchmarks.server.HubChatServer
 * [--host 127.0.0.1] [--port 9000] [--queue memory|chronicle|redis] [--data-dir DIR]
 * [--max-connections 20000] [--actor nonblocking|pool|direct|fj] [--cluster none|redis] [--redis-uri redis://127.0.0.1:6379]
 * [--node-id ID]}. {@code --cluster redis} makes the server a node of a cluster on Redis (the
 * {@code redis} cluster provider, node id {@code --node-id}, default {@code node-} + the pid); its
 * queue is then {@code redis} on the same Redis unless {@code --queue} says otherwise (a
 * node-local queue is allowed explicitly). {@code --actor nonblocking} (the default) declares the
 * actor non-blocking ({@code HubConfig.nonBlockingActor(true)}: it parses and calls Hub.send), so
 * the hub runs it on the transport's I/O thread; {@code pool} leaves it undeclared, on the hub's
 * actor pool, as an actor that may block runs; {@code direct} runs it on the I/O thread through
 * {@code HubConfig.actorExecutor(Runnable::run)} (no stall check) and {@code fj} on a
 * ForkJoinPool: experiments that measure the cost of the hop to an actor pool. Prints {@code tok listening tcp host:port} and
 * {@code tok ready}.
 */
public final class HubChatServer implements AutoCloseable {

    private static final ThreadLocal<ChatJson.Request> REQUEST = ThreadLocal.withInitial(ChatJson.Request::new);

    private final TokServer server;

    /**
     * Starts the server.
     *
     * @param host           bind address
     * @param port           port, 0 for any
     * @param queue          queue provider name
     * @param queueSettings  its settings
     * @param maxConnections the tcp transport's max-connections
     * @param directActor    run the actor on the I/O thread
     */
    public HubChatServer(String host, int port, String queue, Map<String, String> queueSettings, int maxConnections,
            boolean directActor) {
        this(host, port, queue, queueSettings, maxConnections, directActor ? "direct" : "pool");
    }

    /**
     * Starts the server.
     *
     * @param host           bind address
     * @param port           port, 0 for any
     * @param queue          queue provider name
     * @param queueSettings  its settings
     * @param maxConnections the tcp transport's max-connections
     * @param actor          {@code nonblocking} (declared non-blocking: on the I/O thread), {@code pool}
     *                       (the hub's own actor pool), {@code direct} (on the I/O thread through the
     *                       executor) or {@code fj} (a ForkJoinPool in async mode, one thread per core)
     */
    public HubChatServer(String host, int port, String queue, Map<String, String> queueSettings, int maxConnections,
            String actor) {
        this(host, port, queue, queueSettings, maxConnections, actor, Map.of());
    }

    /**
     * Starts the server, optionally as a node of a cluster on Redis.
     *
     * @param host            bind address
     * @param port            port, 0 for any
     * @param queue           queue provider name
     * @param queueSettings   its settings
     * @param maxConnections  the tcp transport's max-connections
     * @param actor           {@code nonblocking}, {@code pool}, {@code direct} or {@code fj} (see the other constructor)
     * @param clusterSettings the {@code redis} cluster provider's settings ({@code uri}, {@code node-id}, ...);
     *                        empty for a single node. With a cluster, a node-local queue ({@code memory},
     *                        {@code chronicle}) is allowed explicitly ({@code allowNodeLocalQueue()}): the chat
     *                        load sends with ttl 0, which is never queued
     */
    public HubChatServer(String host, int port, String queue, Map<String, String> queueSettings, int maxConnections,
            String actor, Map<String, String> clusterSettings) {
        byte[] ping = ChatJson.ping();
        byte[] bye = ChatJson.byeSso();
        HubConfig.Builder config = HubConfig.builder()
                .actor((connection, payload) -> onReceive(connection.hub(), connection.device(), payload))
                .authenticator(req -> {
                    String token = new String(req.firstFrame().orElse(new byte[0]), StandardCharsets.UTF_8);
                    String[] t = ChatJson.token(token);
                    if (t == null) {
                        return CompletableFuture.failedFuture(new AuthenticationException("invalid token"));
                    }
                    return CompletableFuture.completedFuture(Device.of(t[0], t[1]));
                })
                .pingGenerator(() -> ping)
                .byeGenerator((kicker, reason, device) -> Optional.of(bye));
        switch (actor) {
            case "nonblocking":
                config.nonBlockingActor(true); // it parses and calls Hub.send: it never blocks
                break;
            case "pool":
                break;
            case "direct":
                config.actorExecutor(Runnable::run);
                break;
            case "fj":
                config.actorExecutor(new java.util.concurrent.ForkJoinPool(Runtime.getRuntime().availableProcessors(),
                        java.util.concurrent.ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true));
                break;
            default:
                throw new IllegalArgumentException("--actor must be nonblocking, pool, direct or fj, was '" + actor + "'");
        }
        Map<String, String> tcp = new HashMap<>();
        tcp.put("host", host);
        tcp.put("port", Integer.toString(port));
        tcp.put("max-connections", Integer.toString(maxConnections));
        // The load generator is one address (127.0.0.1) sending as fast as it can: the per-address
        // limits and the rate limits of the edge would refuse or close it, so they are off here.
        for (String off : new String[] {"max-connections-per-ip", "max-unauthenticated-per-ip", "rate-limit-frames-per-second",
                "rate-limit-bytes-per-second", "auth-failure-limit"}) {
            tcp.put(off, "0");
        }
        TokServer.Builder builder = TokServer.builder(config.build()).queue(queue, queueSettings).transport("tcp", tcp);
        if (!clusterSettings.isEmpty()) {
            builder.cluster("redis", clusterSettings);
            if (!queue.equals("redis")) {
                builder.allowNodeLocalQueue();
            }
        }
        server = builder.build().start();
    }

    /** @return the tcp transport's address */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address("tcp").orElseThrow();
    }

    @Override
    public void close() {
        server.close();
    }

    private static void onReceive(Hub hub, Device device, byte[] frame) {
        ChatJson.Request req = REQUEST.get();
        try {
            ChatJson.parse(frame, req);
        } catch (ChatJson.BadFrame e) {
            reply(hub, device, ChatJson.error(null, e.getMessage()));
            return;
        }
        switch (req.type) {
            case "send":
                send(hub, device, frame, req);
                break;
            case "online":
                reply(hub, device, ChatJson.online(new TreeSet<>(hub.online())));
                break;
            case "pong":
                break;
            default:
                reply(hub, device, ChatJson.error(req.cid, "unknown type \"" + req.type + "\""));
        }
    }

    private static void send(Hub hub, Device device, byte[] frame, ChatJson.Request req) {
        String cid = req.cid;
        if (req.to == null || !ChatJson.UID.matcher(req.to).matches()) {
            reply(hub, device, ChatJson.error(cid, "\"to\" must be a uid matching [A-Za-z0-9_.-]{1,64}"));
            return;
        }
        if (req.ttl < 0) {
            reply(hub, device, ChatJson.error(cid, "\"ttl\" must not be negative"));
            return;
        }
        byte[] out = ChatJson.msg(device.uid(), frame, req.bodyStart, req.bodyEnd, System.currentTimeMillis());
        var stage = hub.send(req.to, out, req.ttl == 0 ? Duration.ZERO : Duration.ofSeconds(req.ttl));
        if (cid != null) {
            stage.whenComplete((r, e) -> reply(hub, device, e == null ? ChatJson.ack(cid) : ChatJson.error(cid, describe(e))));
        } else if (req.ttl == 0) {
            stage.whenComplete((r, e) -> {
                if (e != null) {
                    reply(hub, device, ChatJson.error(null, describe(e)));
                }
            });
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof OfflineException) {
            return "offline";
        }
        if (t instanceof CacheFailedException && t.getCause() instanceof QueueFullException) {
            return "queue full";
        }
        return String.valueOf(t.getMessage());
    }

    private static void reply(Hub hub, Device device, byte[] payload) {
        hub.send(device.uid(), payload, Duration.ZERO);
    }

    /**
     * Runs the server until the process is stopped.
     *
     * @param argv see the class comment
     */
    public static void main(String[] argv) throws InterruptedException {
        Args args = new Args(argv, "host", "port", "queue", "data-dir", "max-connections", "actor", "cluster", "redis-uri",
                "node-id");
        String cluster = args.string("cluster", "none");
        if (!cluster.equals("none") && !cluster.equals("redis")) {
            throw new IllegalArgumentException("--cluster must be none or redis, was '" + cluster + "'");
        }
        String redisUri = args.string("redis-uri", "redis://127.0.0.1:6379");
        String queue = args.string("queue", cluster.equals("redis") ? "redis" : "memory");
        Map<String, String> qs = new HashMap<>();
        if (queue.equals("chronicle")) {
            qs.put("directory", args.string("data-dir", "./tok-data"));
        } else if (queue.equals("redis")) {
            qs.put("uri", redisUri);
        }
        Map<String, String> cs = new HashMap<>();
        if (cluster.equals("redis")) {
            cs.put("uri", redisUri);
            cs.put("node-id", args.string("node-id", "node-" + Long.toHexString(ProcessHandle.current().pid())));
        }
        String actor = args.string("actor", "nonblocking");
        HubChatServer s = new HubChatServer(args.string("host", "127.0.0.1"), args.integer("port", 9000), queue, qs,
                args.integer("max-connections", 20_000), actor, cs);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.close();
            stopped.countDown();
        }, "hub-chat-shutdown"));
        InetSocketAddress a = s.address();
        if (cluster.equals("redis")) {
            System.out.println("tok node " + cs.get("node-id") + " in cluster redis, queue " + queue);
        }
        System.out.println("tok listening tcp " + a.getHostString() + ":" + a.getPort());
        System.out.println("tok ready");
        System.out.flush();
        stopped.await();
    }
}
