package dev.tok.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.ByeGenerator;
import dev.tok.api.CloseReason;
import dev.tok.api.Delivery;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.OfflineException;
import dev.tok.api.SendResult;
import dev.tok.api.SessionPolicy;
import dev.tok.api.TokServer;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import dev.tok.testkit.InMemoryConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The real hub (tok-core) joined by this cluster on a real redis-server, with the shared
 * {@code redis} queue: two or three hubs act as one. Connections are {@link InMemoryConnection}s
 * registered with each hub's transport side (the transports are the kit's business; here the hub
 * and the engine are under test).
 */
class HubsInClusterTest {

    private final Nodes nodes = new Nodes();
    private final Map<String, TokServer> servers = new java.util.LinkedHashMap<>();
    /** What the at-least-once hubs' acknowledge hooks were told (cursors stored). */
    private final List<Long> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService io = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() {
        servers.values().forEach(TokServer::close);
        nodes.close();
        io.shutdownNow();
    }

    /**
     * A server on node {@code id}, assembled by name as an application does (the real tok-core,
     * cluster {@code redis}, queue {@code redis}), with a transport that only hands its
     * {@link TransportContext} to the test.
     */
    private HubRuntime hub(String id, SessionPolicy policy, String... clusterSettings) {
        return hub(id, policy, false, clusterSettings);
    }

    /**
     * @param byName true: the server creates the node from {@code cluster("redis", ..)}; false: the
     *               test opens it and gives it to the hub ({@code HubConfig.cluster}), so it can
     *               end it as kill -9 would
     */
    private HubRuntime hub(String id, SessionPolicy policy, boolean byName, String... clusterSettings) {
        Map<String, String> cluster = new HashMap<>();
        cluster.put("uri", Nodes.shared().uri());
        cluster.put("key-prefix", nodes.prefix());
        cluster.put("node-id", id);
        for (int i = 0; i + 1 < clusterSettings.length; i += 2) {
            cluster.put(clusterSettings[i], clusterSettings[i + 1]);
        }
        HubConfig.Builder builder = HubConfig.builder();
        if (!byName) {
            builder.cluster(nodes.open(id, clusterSettings));
        }
        HubConfig config = builder
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("x", "y")))
                .actor((device, payload) -> { })
                .readTimeout(Duration.ofMinutes(1))
                .sessionPolicy(policy)
                .byeGenerator((kicker, reason, device) -> Optional.of(("bye:" + reason + ":" + kicker.deviceId())
                        .getBytes(StandardCharsets.UTF_8)))
                .build();
        ContextTransport transport = new ContextTransport();
        TokServer.Builder assembly = TokServer.builder(config)
                .queue("redis", Map.of("uri", Nodes.shared().uri(), "key-prefix", nodes.prefix() + "q:"))
                .transport(transport);
        if (byName) {
            assembly.cluster("redis", cluster);
        }
        TokServer server = assembly.build().start();
        servers.put(id, server);
        return runtime(server, transport);
    }

    /** @return the server's hub and the transport side its connections register with */
    private static HubRuntime runtime(TokServer server, ContextTransport transport) {
        return new HubRuntime() {
            @Override
            public Hub hub() {
                return server.hub();
            }

            @Override
            public TransportContext transportContext() {
                return transport.context;
            }
        };
    }

    /** A transport without sockets: the test registers {@link InMemoryConnection}s through its context. */
    private static final class ContextTransport implements Transport {
        volatile TransportContext context;

        @Override
        public String name() {
            return "in-memory";
        }

        @Override
        public CompletionStage<SocketAddress> start(TransportContext context) {
            this.context = context;
            return CompletableFuture.completedFuture(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        @Override
        public CompletionStage<Void> stop() {
            return CompletableFuture.completedFuture(null);
        }
    }

    private HubRuntime hub(String id) {
        return hub(id, SessionPolicy.shareAll(8));
    }

    private InMemoryConnection login(HubRuntime hub, String uid, String device) {
        return InMemoryConnection.completingOn(io).registerWith(hub.transportContext(), Device.of(uid, device));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("a send from node a reaches the user's connections on a and b; the result lists each one, the remote one by its node")
    void sendAcrossNodes() {
        HubRuntime a = hub("a", SessionPolicy.shareAll(8), true);
        HubRuntime b = hub("b", SessionPolicy.shareAll(8), true);
        InMemoryConnection onA = login(a, "alice", "watch");
        InMemoryConnection onB = login(b, "alice", "phone");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.hub().isOnline("alice") && b.hub().isOnline("alice"));

        SendResult r = join(a.hub().send("alice", utf8("hi"), Duration.ZERO));

        assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(r.deliveries()).extracting(d -> d.device().deviceId(), Delivery::transport, Delivery::succeeded)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("watch", "in-memory", true),
                        org.assertj.core.groups.Tuple.tuple("phone", "@b", true));
        await().atMost(Duration.ofSeconds(5)).until(() -> onB.texts().contains("hi") && onA.texts().contains("hi"));
        assertThat(a.hub().online()).containsExactly("alice");
    }

    @Test
    @DisplayName("2,000 sends from one thread of node a to a user on node b arrive in send order")
    void orderAcrossNodes() {
        HubRuntime a = hub("a");
        HubRuntime b = hub("b");
        InMemoryConnection onB = login(b, "bob", "phone");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.hub().isOnline("bob"));
        List<CompletionStage<SendResult>> sends = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            sends.add(a.hub().send("bob", utf8("m" + i), Duration.ZERO));
            expected.add("m" + i);
        }
        sends.forEach(s -> assertThat(join(s).status()).isEqualTo(SendResult.Status.DELIVERED));
        await().atMost(Duration.ofSeconds(10)).until(() -> onB.texts().size() >= 2_000);
        assertThat(onB.texts()).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("offline everywhere: ttl 0 fails with OfflineException, ttl > 0 is queued by node a and delivered at the login on node b")
    void offlineQueuedAcrossNodes() {
        HubRuntime a = hub("a");
        HubRuntime b = hub("b");
        assertThatThrownBy(() -> join(a.hub().send("carol", utf8("now"), Duration.ZERO))).hasCauseInstanceOf(OfflineException.class);
        assertThat(join(a.hub().send("carol", utf8("later"), Duration.ofMinutes(5))).status()).isEqualTo(SendResult.Status.QUEUED);
        InMemoryConnection onB = login(b, "carol", "phone");
        await().atMost(Duration.ofSeconds(5)).until(() -> onB.texts().contains("later"));
    }

    @Test
    @DisplayName("single sign-on across nodes: a login on b closes the connection on a with the bye; kick and isOnline are cluster-wide")
    void singleSignOnAndKick() {
        HubRuntime a = hub("a", SessionPolicy.singleSignOn());
        HubRuntime b = hub("b", SessionPolicy.singleSignOn());
        InMemoryConnection first = login(a, "dave", "phone");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.hub().isOnline("dave"));
        InMemoryConnection second = login(b, "dave", "laptop");
        await().atMost(Duration.ofSeconds(5)).until(() -> first.closedWith().isPresent() || first.abortedWith().isPresent());
        assertThat(first.texts()).containsExactly("bye:" + ByeGenerator.REASON_SSO + ":@b");
        assertThat(first.abortedWith().or(first::closedWith)).contains(CloseReason.SSO_REPLACED);
        assertThat(second.isClosed()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.hub().connections("dave").isEmpty());

        assertThat(a.hub().kick("dave")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(second::isClosed);
        await().atMost(Duration.ofSeconds(5)).until(() -> !a.hub().isOnline("dave"));
    }

    @Test
    @DisplayName("single sign-on: two logins of one user racing on two nodes end with exactly one connection, 50 times")
    void singleSignOnRace() throws Exception {
        HubRuntime a = hub("a", SessionPolicy.singleSignOn());
        HubRuntime b = hub("b", SessionPolicy.singleSignOn());
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 50; round++) {
                String uid = "racer" + round;
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                var onA = racers.submit(() -> {
                    start.await();
                    return login(a, uid, "phone");
                });
                var onB = racers.submit(() -> {
                    start.await();
                    return login(b, uid, "laptop");
                });
                InMemoryConnection x = onA.get(10, TimeUnit.SECONDS);
                InMemoryConnection y = onB.get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(5)).until(() -> x.isClosed() != y.isClosed());
                // and it stays so: a late takeover would close the survivor too
                await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> x.isClosed() != y.isClosed());
                assertThat(x.isClosed() != y.isClosed()).as("round %d: exactly one connection stays", round).isTrue();
                InMemoryConnection survivor = x.isClosed() ? y : x;
                HubRuntime holder = survivor == x ? a : b;
                assertThat(holder.hub().connections(uid)).hasSize(1);
                assertThat((survivor == x ? b : a).hub().connections(uid)).isEmpty();
            }
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    @DisplayName("a send between two users of one node asks Redis nothing once the node knows no other node holds the user")
    void sameNodeSendCostsNoRedisRoundTrip() {
        HubRuntime a = hub("a");
        hub("b");
        InMemoryConnection onA = login(a, "erin", "phone");
        join(a.hub().send("erin", utf8("warm-up"), Duration.ZERO)); // looks the user up once, and caches "nowhere else"
        long before = commands();
        for (int i = 0; i < 1_000; i++) {
            join(a.hub().send("erin", utf8("x" + i), Duration.ZERO));
        }
        long after = commands();
        // INFO itself and the heartbeats of the two nodes (lease renewal and node sweep, a few per second) are all that ran
        assertThat(after - before).isLessThan(40);
        await().atMost(Duration.ofSeconds(5)).until(() -> onA.texts().size() == 1_001);
    }

    @Test
    @DisplayName("a node closed gracefully: its users are offline on the others at once, and a send to them is queued")
    void gracefulLeave() {
        HubRuntime a = hub("a");
        HubRuntime b = hub("b");
        login(b, "frank", "phone");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.hub().isOnline("frank"));
        b.hub().close();
        await().atMost(Duration.ofSeconds(2)).until(() -> !a.hub().isOnline("frank"));
        assertThat(join(a.hub().send("frank", utf8("queued"), Duration.ofMinutes(1))).status()).isEqualTo(SendResult.Status.QUEUED);
    }

    @Test
    @DisplayName("a node that dies: within the lease its user is offline on the survivor and a send to it is queued, not lost")
    void nodeDeath() {
        HubRuntime a = hub("a", SessionPolicy.shareAll(8), "lease", "1500ms", "heartbeat", "300ms", "route-timeout", "500ms");
        HubRuntime b = hub("b", SessionPolicy.shareAll(8), "lease", "1500ms", "heartbeat", "300ms", "route-timeout", "500ms");
        login(b, "gina", "phone");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.hub().isOnline("gina"));
        nodes.opened("b").abort(); // as kill -9 would: lease and presence left to lapse
        // before the lease lapsed, a send finds no one listening on b: queued at once
        SendResult r = join(a.hub().send("gina", utf8("while dying"), Duration.ofMinutes(1)));
        assertThat(r.status()).isEqualTo(SendResult.Status.QUEUED);
        assertThat(r.deliveries()).singleElement().satisfies(d -> assertThat(d.succeeded()).isFalse());
        await().atMost(Duration.ofSeconds(5)).until(() -> !a.hub().isOnline("gina"));
        InMemoryConnection back = login(a, "gina", "phone");
        await().atMost(Duration.ofSeconds(5)).until(() -> back.texts().contains("while dying"));
    }

    @Test
    @DisplayName("a user moving between nodes b and c every few ms while node a sends: every accepted message is delivered or queued, none lost")
    void movingUserLosesNothing() throws Exception {
        HubRuntime a = hub("a");
        HubRuntime b = hub("b");
        HubRuntime c = hub("c");
        List<InMemoryConnection> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        seen.add(login(b, "hana", "phone"));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.hub().isOnline("hana"));
        java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread mover = new Thread(() -> {
            int n = 0;
            while (sending.get()) {
                InMemoryConnection next = login(n++ % 2 == 0 ? c : b, "hana", "phone");
                InMemoryConnection previous = seen.get(seen.size() - 1);
                seen.add(next);
                previous.peerClose();
                try {
                    Thread.sleep(5 + n % 20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        mover.start();
        List<String> accepted = new ArrayList<>();
        List<CompletionStage<SendResult>> sends = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            sends.add(a.hub().send("hana", utf8("m" + i), Duration.ofMinutes(5)));
            if (i % 50 == 0) {
                Thread.sleep(10);
            }
        }
        for (int i = 0; i < sends.size(); i++) {
            try {
                SendResult r = join(sends.get(i));
                if (r.delivered() > 0 || r.queued()) {
                    accepted.add("m" + i);
                }
            } catch (AssertionError refused) {
                // a send may fail honestly (every write failed, not cached): then it was not accepted
            }
        }
        sending.set(false);
        mover.join();
        // a last login drains whatever was queued while the user moved
        InMemoryConnection last = login(a, "hana", "phone");
        seen.add(last);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            java.util.Set<String> received = new java.util.HashSet<>();
            seen.forEach(conn -> received.addAll(conn.texts()));
            assertThat(received).containsAll(accepted);
        });
        assertThat(accepted).hasSizeGreaterThan(500); // the policy caches failed writes: nearly all are accepted
    }

    @Test
    @DisplayName("Redis stopped: local delivery goes on, a send needing Redis fails fast; Redis back: a login made meanwhile becomes visible to the other node")
    void redisDown(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        dev.tok.testkit.RedisServer own = dev.tok.testkit.RedisServer.start(dir, dev.tok.testkit.RedisServer.Persistence.NONE);
        try (Nodes ownNodes = new Nodes(own)) {
            HubRuntime a = hubOn(ownNodes, own, "a");
            HubRuntime b = hubOn(ownNodes, own, "b");
            InMemoryConnection ivan = login(a, "ivan", "phone");
            join(a.hub().send("ivan", utf8("before"), Duration.ZERO));
            own.stop();
            long t0 = System.nanoTime();
            assertThat(join(a.hub().send("ivan", utf8("during"), Duration.ZERO)).status()).isEqualTo(SendResult.Status.DELIVERED);
            InMemoryConnection judy = login(a, "judy", "phone"); // registration fails, tried again later
            assertThat(join(a.hub().send("judy", utf8("local"), Duration.ZERO)).status()).isEqualTo(SendResult.Status.DELIVERED);
            assertThatThrownBy(() -> join(a.hub().send("kim", utf8("nobody"), Duration.ZERO)))
                    .hasCauseInstanceOf(dev.tok.api.TokException.class)
                    .hasMessageContaining("has no connection on node a and the cluster could not be asked");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> ivan.texts().contains("during") && judy.texts().contains("local"));
            own.restart();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                try {
                    return b.hub().isOnline("judy") && b.hub().isOnline("ivan");
                } catch (dev.tok.api.TokException notYet) {
                    return false;
                }
            });
            SendResult r = join(b.hub().send("judy", utf8("from b"), Duration.ZERO));
            assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
            await().atMost(Duration.ofSeconds(5)).until(() -> judy.texts().contains("from b"));
        } finally {
            servers.values().forEach(TokServer::close);
            servers.clear();
            own.stop();
        }
    }

    private HubRuntime hubOn(Nodes on, dev.tok.testkit.RedisServer redis, String id) {
        HubConfig config = HubConfig.builder()
                .cluster(on.open(id, "lease", "2s", "heartbeat", "300ms", "command-timeout", "500ms"))
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("x", "y")))
                .actor((device, payload) -> { })
                .readTimeout(Duration.ofMinutes(1))
                .noQueue()
                .build();
        ContextTransport transport = new ContextTransport();
        TokServer server = TokServer.builder(config).transport(transport).build().start();
        servers.put(id + "@" + redis.port(), server);
        return runtime(server, transport);
    }

    @Test
    @DisplayName("at-least-once across nodes: messages sent on a and c reach the device on b from the shared log with their ids, in log order; what it did not acknowledge comes again on its next connection, on a")
    void atLeastOnceAcrossNodes() {
        HubRuntime a = aloHub("a");
        HubRuntime b = aloHub("b");
        HubRuntime c = aloHub("c");
        InMemoryConnection phone = login(b, "lena", "phone");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.hub().isOnline("lena") && c.hub().isOnline("lena"));
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            HubRuntime sender = i % 2 == 0 ? a : c;
            SendResult r = join(sender.hub().send("lena", utf8("m" + i), Duration.ofMinutes(5)));
            assertThat(r.id()).isPositive();
            assertThat(r.queued()).isTrue(); // in the log, which every node's connections read
            ids.add(r.id());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> phone.texts().size() >= 100);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(ids.get(i) + ":m" + i);
        }
        assertThat(phone.texts()).containsExactlyElementsOf(expected); // each once, in log order
        phone.receive(utf8("ack:" + ids.get(59)));
        // the device acknowledged the first 60; its next connection, on another node, gets the other 40 again
        // the acknowledgement is stored in the shared queue by b's hub; its hook is told after that
        await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged.contains(ids.get(59)));
        phone.peerClose();
        InMemoryConnection again = login(a, "lena", "phone");
        await().atMost(Duration.ofSeconds(10)).until(() -> again.texts().size() >= 40);
        assertThat(again.texts()).containsExactlyElementsOf(expected.subList(60, 100));
    }

    /** An at-least-once hub: frames are {@code <id>:<payload>}; a frame {@code ack:<id>} from the device acknowledges. */
    private HubRuntime aloHub(String id) {
        HubConfig config = HubConfig.builder()
                .cluster(nodes.open(id))
                .delivery(dev.tok.api.DeliveryMode.AT_LEAST_ONCE)
                .acknowledgeHook((device, upToId) -> acknowledged.add(upToId))
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("x", "y")))
                .actor((connection, payload) -> {
                    String text = new String(payload, StandardCharsets.UTF_8);
                    if (text.startsWith("ack:")) {
                        connection.acknowledge(Long.parseLong(text.substring(4)));
                    }
                })
                .beforeSend(new dev.tok.api.BeforeSend() {
                    @Override
                    public byte[] beforeSend(Device device, byte[] payload) {
                        return payload;
                    }

                    @Override
                    public byte[] beforeSend(Device device, long messageId, byte[] payload) {
                        return utf8(messageId + ":" + new String(payload, StandardCharsets.UTF_8));
                    }
                })
                .readTimeout(Duration.ofMinutes(1))
                .build();
        ContextTransport transport = new ContextTransport();
        TokServer server = TokServer.builder(config)
                .queue("redis", Map.of("uri", Nodes.shared().uri(), "key-prefix", nodes.prefix() + "q:"))
                .transport(transport).build().start();
        servers.put(id, server);
        return runtime(server, transport);
    }

    /** @return the commands Redis processed so far (INFO commandstats, summed) */
    private static long commands() {
        String stats = Nodes.shared().command("INFO commandstats");
        Matcher m = Pattern.compile("calls=(\\d+)").matcher(stats);
        long n = 0;
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }
}
