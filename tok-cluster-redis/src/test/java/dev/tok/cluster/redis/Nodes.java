package dev.tok.cluster.redis;

import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterListener;
import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import dev.tok.api.spi.Settings;
import dev.tok.testkit.RedisCluster;
import dev.tok.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test support: a shared redis-server and a shared three-master Redis Cluster (each started once
 * per test JVM when first needed, no persistence, stopped at exit), cluster nodes opened as the
 * hub would (provider, validated settings) with a key prefix per test, and a {@link FakeHub}
 * listener that holds connections the way a hub would.
 */
final class Nodes implements AutoCloseable {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisServer shared;
    private static RedisCluster sharedCluster;

    /** Where the tests' Redis is: a standalone server or a Redis Cluster. */
    interface Backend {
        /** @return the {@code uri} setting */
        String uri();

        /** @return whether it is a Redis Cluster ({@code cluster=true}) */
        boolean cluster();

        /** Sends an inline command about one key to the Redis (node) that owns the key, see {@link RedisServer#command}. */
        String command(String command);
    }

    private final Backend redis;
    private final String prefix = "t" + PREFIXES.incrementAndGet() + ":";
    private final List<RedisClusterNode> opened = new ArrayList<>();

    Nodes() {
        this(standalone());
    }

    Nodes(RedisServer redis) {
        this(of(redis));
    }

    Nodes(Backend redis) {
        this.redis = redis;
    }

    /** @return the shared standalone redis-server */
    static Backend standalone() {
        return of(shared());
    }

    private static Backend of(RedisServer server) {
        return new Backend() {
            @Override
            public String uri() {
                return server.uri();
            }

            @Override
            public boolean cluster() {
                return false;
            }

            @Override
            public String command(String command) {
                return server.command(command);
            }
        };
    }

    /** @return the shared three-master Redis Cluster's servers (started if needed) */
    static synchronized RedisCluster sharedRedisCluster() {
        redisCluster();
        return sharedCluster;
    }

    /** @return the shared three-master Redis Cluster */
    static synchronized Backend redisCluster() {
        if (sharedCluster == null) {
            try {
                RedisCluster c = RedisCluster.start(Files.createTempDirectory("tok-cluster-redis-cluster-"), 3);
                Runtime.getRuntime().addShutdownHook(new Thread(c::close, "stop-test-redis-cluster"));
                sharedCluster = c;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        RedisCluster c = sharedCluster;
        return new Backend() {
            @Override
            public String uri() {
                return c.uris();
            }

            @Override
            public boolean cluster() {
                return true;
            }

            @Override
            public String command(String command) {
                String last = null;
                for (RedisServer node : c.nodes()) {
                    last = node.command(command);
                    if (!last.startsWith("-MOVED")) {
                        return last;
                    }
                }
                return last;
            }
        };
    }

    /** Sends an inline command about one key to the Redis (node) that owns it. */
    String command(String command) {
        return redis.command(command);
    }

    Backend backend() {
        return redis;
    }

    static synchronized RedisServer shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("tok-cluster-redis-");
                RedisServer server = RedisServer.start(dir, RedisServer.Persistence.NONE);
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "stop-test-redis"));
                shared = server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    String prefix() {
        return prefix;
    }

    /** Opens a node with this test's key prefix, {@code node-id} = id, and more settings as key, value pairs. */
    RedisClusterNode open(String id, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("uri", redis.uri());
        if (redis.cluster()) {
            m.put("cluster", "true");
        }
        m.put("key-prefix", prefix);
        m.put("node-id", id);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        RedisClusterProvider provider = new RedisClusterProvider();
        Settings s = Settings.of("cluster 'redis'", m);
        s.requireKnown(provider.settingNames());
        RedisClusterNode node = (RedisClusterNode) provider.create(s);
        opened.add(node);
        return node;
    }

    /** @return the node opened with this id */
    RedisClusterNode opened(String id) {
        return opened.stream().filter(n -> n.nodeId().equals(id)).findFirst().orElseThrow();
    }

    /** Opens and starts a node with a fresh {@link FakeHub}. */
    FakeHub start(String id, String... keyValues) {
        RedisClusterNode node = open(id, keyValues);
        FakeHub hub = new FakeHub(node);
        join(node.start(hub));
        return hub;
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        opened.forEach(RedisClusterNode::close);
    }

    /**
     * What a hub does with a cluster: holds connections (uid → connection id → device), writes
     * routed sends to them (records the payloads; a connection marked broken fails), closes them
     * on kicks and takeovers.
     */
    static final class FakeHub implements ClusterListener {
        final RedisClusterNode cluster;
        final Map<String, Map<String, String>> connections = new ConcurrentHashMap<>();
        final Set<String> broken = ConcurrentHashMap.newKeySet();
        final List<String> written = new CopyOnWriteArrayList<>();
        final List<String> takeovers = new CopyOnWriteArrayList<>();
        /** Presence events in arrival order: a uid, or "?" for onPresenceUnknown. */
        final List<String> presence = new CopyOnWriteArrayList<>();
        volatile boolean answering = true;

        FakeHub(RedisClusterNode cluster) {
            this.cluster = cluster;
        }

        Cluster.Registration connect(String uid, String device, String connectionId) {
            connections.computeIfAbsent(uid, u -> new ConcurrentHashMap<>()).put(connectionId, device);
            return join(cluster.register(uid, device, connectionId));
        }

        void disconnect(String uid, String connectionId) {
            Map<String, String> held = connections.get(uid);
            if (held != null) {
                held.remove(connectionId);
            }
            join(cluster.unregister(uid, connectionId));
        }

        @Override
        public CompletionStage<Map<String, RemoteWrite.Status>> onSend(ClusterSend send) {
            if (!answering) {
                return new CompletableFuture<>();
            }
            Map<String, RemoteWrite.Status> out = new HashMap<>();
            connections.getOrDefault(send.uid(), Map.of()).forEach((id, device) -> {
                if (send.deviceId().map(device::equals).orElse(true)) {
                    boolean ok = !broken.contains(id);
                    if (ok) {
                        written.add(id + ":" + new String(send.payload(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                    out.put(id, ok ? RemoteWrite.Status.WRITTEN : RemoteWrite.Status.FAILED);
                }
            });
            return CompletableFuture.completedFuture(out);
        }

        @Override
        public CompletionStage<Integer> onKick(String uid) {
            if (!answering) {
                return new CompletableFuture<>();
            }
            Map<String, String> gone = connections.remove(uid);
            int n = gone == null ? 0 : gone.size();
            if (gone != null) {
                gone.keySet().forEach(id -> cluster.unregister(uid, id));
            }
            return CompletableFuture.completedFuture(n);
        }

        @Override
        public void onTakeover(String uid, Set<String> connectionIds, long epoch, String byNode) {
            Map<String, String> held = connections.get(uid);
            for (String id : connectionIds) {
                if (held != null && held.remove(id) != null) {
                    takeovers.add(uid + "/" + id + "@" + epoch + " by " + byNode);
                    cluster.unregister(uid, id);
                }
            }
        }

        @Override
        public void onPresenceChanged(String uid) {
            presence.add(uid);
        }

        @Override
        public void onPresenceUnknown() {
            presence.add("?");
        }
    }
}
