package dev.tok.cluster.redis;

import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterListener;
import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import dev.tok.api.spi.Settings;
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
 * Test support: a shared redis-server (started once per test JVM, no persistence, stopped at
 * exit), cluster nodes opened as the hub would (provider, validated settings) with a key prefix
 * per test, and a {@link FakeHub} listener that holds connections the way a hub would.
 */
final class Nodes implements AutoCloseable {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisServer shared;

    private final RedisServer redis;
    private final String prefix = "t" + PREFIXES.incrementAndGet() + ":";
    private final List<RedisClusterNode> opened = new ArrayList<>();

    Nodes() {
        this(shared());
    }

    Nodes(RedisServer redis) {
        this.redis = redis;
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
