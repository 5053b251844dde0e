package dev.tok.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.BeforeSend;
import dev.tok.api.Delivery;
import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.OfflineException;
import dev.tok.api.SendResult;
import dev.tok.api.TokException;
import dev.tok.api.TokServer;
import dev.tok.api.spi.Cluster;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compatibility kit every cluster provider must pass, built-in or third-party: several
 * {@link TokServer}s (nodes) on one cluster engine act as one hub, over real sockets.
 *
 * <p>Extend it, say how a node joins the cluster and which queue the nodes share, and run it with
 * JUnit 5:
 *
 * <!-- sample: TestkitJavadocSamples.java#cluster-kit -->
 * <pre>{@code
 * class MyClusterCompatibilityTest extends ClusterCompatibilityKit {
 *     @Override
 *     protected Provider clusterSettings(String nodeId) {
 *         return new Provider("my-cluster", Map.of("address", engineAddress, "node-id", nodeId));
 *     }
 *
 *     @Override
 *     protected Provider sharedQueue() {
 *         return new Provider("redis", Map.of("uri", redisUri));
 *     }
 * }
 * }</pre>
 *
 * <p>Each test starts two or three nodes, each a {@code TokServer} with the {@code tcp}
 * transport on a free loopback port (so {@code dev.tok:tok-core}, {@code dev.tok:tok-transport-tcp},
 * the cluster provider and the queue provider must be on the test runtime path), and talks to them
 * through {@link FramedSocketClient}s, as devices do. Node ids and user ids are new in every test,
 * so one engine (one Redis) may serve every test of a class; the nodes are closed gracefully after
 * each test.
 *
 * <p>What is checked, each over real sockets: presence across nodes ({@code isOnline},
 * {@code online()}); a send from one node reaches the user's connections on every node, with a
 * {@link SendResult} listing each connection; a send to one device on another node; the order
 * of 500 sends from one thread to a user on two other nodes; a zero-ttl send to a user offline
 * everywhere fails with {@link OfflineException}; a send with a ttl to an offline user is queued
 * and delivered at the user's login on another node, before later messages; {@code kick} across
 * nodes returns how many connections it closed; single sign-on across nodes (the older connection
 * gets the bye payload and closes); 50 rounds of one user logging in on two nodes at once end with
 * exactly one connection each; a node closed gracefully: its users are offline elsewhere at once
 * (within {@link #atOnce()}), and sends with a ttl to them are queued; at-least-once delivery
 * across nodes (messages sent on two nodes reach a device on a third in log order with their
 * ids, and what it did not acknowledge comes again, same ids, when it connects to another node).
 *
 * <p><b>The engine down</b> (opt-in): a subclass that can stop and restart its engine overrides
 * {@link #stopEngine()} and {@link #restartEngine()}; the kit then checks that while the engine is
 * down local delivery goes on and the operations that need the engine fail fast with a
 * {@link TokException}, and that once it is back, connections (also one that logged in meanwhile)
 * are visible cluster-wide again. Without the overrides that case is reported as aborted.
 *
 * <p>The kit's hub configuration: the token (the first frame) is {@code uid/device} (or
 * {@code uid}, device {@code default}); the bye payload is {@code bye:<reason>:<closed device>};
 * no server pings; a write timeout of 5 seconds. Single sign-on is on (the default) except in the
 * cases that need several connections of one user. In the at-least-once case a message's frame is
 * {@code <id>:<payload>}, and a device acknowledges with the frame {@code ack:<id>}.
 *
 * @since 0.1
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class ClusterCompatibilityKit {

    /**
     * A provider chosen by name, with its settings: a cluster provider for
     * {@link TokServer.Builder#cluster(String, Map)} or a queue provider for
     * {@link TokServer.Builder#queue(String, Map)}.
     *
     * @param name     the provider's name
     * @param settings its settings; copied
     * @since 0.1
     */
    public record Provider(String name, Map<String, String> settings) {

        /** Checks and copies. */
        public Provider {
            Objects.requireNonNull(name, "name");
            settings = Map.copyOf(Objects.requireNonNull(settings, "settings"));
        }
    }

    /** A ttl no test outlives. */
    private static final Duration LONG_TTL = Duration.ofMinutes(5);
    private static final Random RANDOM = new Random();

    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    /** What the hubs' acknowledge hooks were told: {@code uid/device:upToId}. */
    private final BlockingQueue<String> acknowledged = new LinkedBlockingQueue<>();
    /** This test's run id: part of every node id and user id, so tests never share either. */
    private String run;
    private TransportClient transportClient;

    // ---------------------------------------------------------------- what a subclass supplies

    /**
     * The cluster provider and its settings for one node. Every node of a test must join the same
     * cluster (the same engine and namespace); the kit calls it once per node.
     *
     * @param nodeId the node's id, new in every test: 1 to 32 of {@code a-z 0-9 -}; pass it on as
     *               the provider's node id setting
     * @return the provider's name and settings
     */
    protected abstract Provider clusterSettings(String nodeId);

    /**
     * The queue every node uses for offline users: one the nodes share (a message queued by one
     * node is delivered at a login on another). Called once per node.
     *
     * @return the queue provider's name and settings
     */
    protected abstract Provider sharedQueue();

    /**
     * How soon a gracefully closed node's users must count as offline on the other nodes: far
     * less than a lease. One second unless overridden.
     *
     * @return the bound
     */
    protected Duration atOnce() {
        return Duration.ofSeconds(1);
    }

    /**
     * Makes the cluster's engine unreachable for every node (stops the Redis server, say), for the
     * opt-in case {@code engineDownAndBack}. The default aborts that case.
     */
    protected void stopEngine() {
        Assumptions.abort("the subclass cannot stop its engine: override stopEngine() and restartEngine() to run this case");
    }

    /**
     * Makes the engine reachable again after {@link #stopEngine()}, possibly empty (a Redis
     * without persistence); returns once it answers.
     */
    protected void restartEngine() {
        Assumptions.abort("the subclass cannot restart its engine: override stopEngine() and restartEngine() to run this case");
    }

    /** @return the longest the kit waits for something that must happen (20 s unless overridden) */
    protected Duration patience() {
        return Duration.ofSeconds(20);
    }

    // ---------------------------------------------------------------- harness

    /** One started node: its server, hub and address. */
    protected static final class Node {
        private final String id;
        private final TokServer server;

        Node(String id, TokServer server) {
            this.id = id;
            this.server = server;
        }

        /** @return the node id given to {@link #clusterSettings} */
        public String id() {
            return id;
        }

        /** @return the node's hub */
        public Hub hub() {
            return server.hub();
        }

        /** @return the node's server */
        public TokServer server() {
            return server;
        }

        /** @return the address of its {@code tcp} listener */
        public SocketAddress address() {
            return server.address("tcp").orElseThrow();
        }

        @Override
        public String toString() {
            return "node " + id;
        }
    }

    @BeforeEach
    void newRun() {
        run = String.format("%06x", RANDOM.nextInt(1 << 24));
    }

    @AfterEach
    void closeEverything() {
        for (Client c : clients) {
            c.connection.close();
        }
        for (Node n : nodes) {
            try {
                n.server.close();
            } catch (RuntimeException e) {
                // best effort; a failed stop was reported by the test that caused it
            }
        }
    }

    /**
     * Starts a node with the kit's hub configuration, adjusted by {@code hub}.
     *
     * @param name a short name, unique in the test ({@code a}, {@code b}, ...)
     * @param hub  adjusts the hub configuration
     * @return the started node
     */
    protected final Node startNode(String name, UnaryOperator<HubConfig.Builder> hub) {
        String id = "kit-" + run + "-" + name;
        HubConfig.Builder config = HubConfig.builder()
                .actor((connection, payload) -> { })
                .authenticator(ClusterCompatibilityKit::authenticate)
                .pingGenerator(() -> "hub-ping".getBytes(StandardCharsets.UTF_8))
                .pingInterval(Duration.ofHours(1))
                .writeTimeout(Duration.ofSeconds(5))
                .byeGenerator((kicker, reason, device) -> Optional.of(utf8("bye:" + reason + ":" + device.deviceId())));
        Provider cluster = clusterSettings(id);
        Provider queue = sharedQueue();
        TokServer server = TokServer.builder(hub.apply(config).build())
                .cluster(cluster.name(), cluster.settings())
                .queue(queue.name(), queue.settings())
                .transport("tcp", Map.of("host", "127.0.0.1", "port", "0"))
                .stopTimeout(Duration.ofSeconds(15))
                .build();
        Node node = new Node(id, server);
        nodes.add(node);
        server.start();
        return node;
    }

    /**
     * Starts {@code count} nodes ({@code a}, {@code b}, {@code c}, ...) with the same hub configuration.
     *
     * @param count how many
     * @param hub   adjusts the hub configuration
     * @return the nodes, in start order
     */
    protected final List<Node> startNodes(int count, UnaryOperator<HubConfig.Builder> hub) {
        List<Node> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            started.add(startNode(String.valueOf((char) ('a' + i)), hub));
        }
        return started;
    }

    /**
     * @param name a name
     * @return a user id unique to this test
     */
    protected final String uid(String name) {
        return name + "-" + run;
    }

    /** @return a condition factory waiting at most {@link #patience()}, polling often */
    protected final ConditionFactory eventually() {
        return Awaitility.await().atMost(patience()).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20));
    }

    /**
     * Opens a device's connection to a node; it is closed after the test. Returns once the
     * connection is open, not once it is registered.
     *
     * @param node  the node
     * @param token {@code uid/device}
     * @return the client
     * @throws IOException when it could not connect
     */
    protected final Client connect(Node node, String token) throws IOException {
        TransportClient tc;
        synchronized (this) {
            if (transportClient == null) {
                transportClient = new FramedSocketClient();
            }
            tc = transportClient;
        }
        Client c = new Client(token, tc.connect(node.address(), token));
        clients.add(c);
        return c;
    }

    /**
     * Waits until the cluster lists {@code count} connections of {@code uid} (asked through each
     * node's cluster, when its hub exposes it in {@link HubConfig#cluster()}) and every node's hub
     * says the user is online ({@code count > 0}) or offline ({@code count == 0}).
     *
     * @param uid   the user
     * @param count how many connections
     */
    protected final void awaitConnections(String uid, int count) {
        for (Node n : nodes) {
            if (n.server.closeFuture().toCompletableFuture().isDone()) {
                continue;
            }
            Optional<Cluster> cluster = n.hub().config().cluster();
            cluster.ifPresent(c -> eventually().alias(uid + " has " + count + " connections in the cluster, asked on " + n)
                    .until(() -> c.connections(uid).toCompletableFuture().get(5, TimeUnit.SECONDS).size() == count));
            eventually().alias(uid + (count > 0 ? " online" : " offline") + " on " + n)
                    .until(() -> n.hub().isOnline(uid) == (count > 0));
        }
    }

    private static CompletableFuture<Device> authenticate(AuthRequest request) {
        String token = request.firstFrame().map(ClusterCompatibilityKit::string).orElse("");
        int slash = token.indexOf('/');
        if (token.isEmpty() || slash == 0) {
            return CompletableFuture.failedFuture(new AuthenticationException("no valid token"));
        }
        return CompletableFuture.completedFuture(slash < 0 ? Device.of(token, "default")
                : Device.of(token.substring(0, slash), token.substring(slash + 1)));
    }

    private SendResult sent(CompletableFuture<SendResult> f) throws Exception {
        return f.get(patience().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static CompletableFuture<SendResult> send(Node from, String uid, String payload, Duration ttl) {
        return from.hub().send(uid, utf8(payload), ttl).toCompletableFuture();
    }

    /** @return the cause the stage failed with; fails when it succeeded or did not complete */
    private Throwable failure(CompletableFuture<?> f) throws InterruptedException, TimeoutException {
        try {
            Object result = f.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            return fail("expected a failure, the stage completed with %s", result);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static List<String> deviceIds(SendResult r) {
        return r.deliveries().stream().map(d -> d.device().deviceId()).sorted().collect(Collectors.toList());
    }

    /** The users of this test that {@code hub.online()} lists. */
    private Set<String> ours(Set<String> online) {
        return online.stream().filter(u -> u.endsWith("-" + run)).collect(Collectors.toCollection(TreeSet::new));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A device's connection, as the kit drives it. */
    protected final class Client {
        private final String token;
        private final ClientConnection connection;
        private volatile boolean closed;

        Client(String token, ClientConnection connection) {
            this.token = token;
            this.connection = connection;
        }

        /** @return the next frame as UTF-8; fails after {@link #patience()} or when closed */
        public String next() throws IOException {
            Optional<byte[]> f = connection.receive(patience());
            assertThat(f).as("a frame reached %s within %s", token, patience()).isPresent();
            return string(f.get());
        }

        /** @return the frames received until the server closed the connection; fails after {@link #patience()} */
        public List<String> untilClosed() {
            List<String> frames = new ArrayList<>();
            long deadline = System.nanoTime() + patience().toNanos();
            try {
                while (System.nanoTime() < deadline) {
                    connection.receive(Duration.ofMillis(100)).ifPresent(f -> frames.add(string(f)));
                }
            } catch (IOException e) {
                closed = true;
                return frames;
            }
            return fail("%s was not closed within %s (frames: %s)", token, patience(), frames);
        }

        /**
         * @param frames where frames that arrived are added
         * @return true once the server closed the connection (reads what arrived, without waiting)
         */
        boolean closedNow(List<String> frames) {
            if (closed) {
                return true;
            }
            try {
                Optional<byte[]> f;
                while ((f = connection.receive(Duration.ZERO)).isPresent()) {
                    frames.add(string(f.get()));
                }
                return false;
            } catch (IOException e) {
                closed = true;
                return true;
            }
        }

        @Override
        public String toString() {
            return token;
        }
    }

    // ---------------------------------------------------------------- presence

    @Test
    @DisplayName("presence is cluster-wide: isOnline and online() on every node list the users of every node, and drop them when they leave")
    void presenceAcrossNodes() throws Exception {
        List<Node> n = startNodes(3, b -> b);
        String alice = uid("alice");
        String bob = uid("bob");
        String carol = uid("carol");
        String ghost = uid("ghost");
        Client a = connect(n.get(0), alice + "/phone");
        connect(n.get(1), bob + "/phone");
        connect(n.get(2), carol + "/phone");
        for (String u : List.of(alice, bob, carol)) {
            awaitConnections(u, 1);
        }
        for (Node node : n) {
            assertThat(node.hub().isOnline(ghost)).as("a user never seen, on %s", node).isFalse();
            assertThat(ours(node.hub().online())).as("online() on %s", node).containsExactlyInAnyOrder(alice, bob, carol);
        }
        a.connection.close();
        awaitConnections(alice, 0);
        for (Node node : n) {
            assertThat(ours(node.hub().online())).as("online() on %s after alice left node a", node)
                    .containsExactlyInAnyOrder(bob, carol);
        }
    }

    // ---------------------------------------------------------------- sends

    @Test
    @DisplayName("a send from node a reaches the user's connections on a, b and c; the SendResult lists each connection")
    void sendReachesEveryConnectionOnEveryNode() throws Exception {
        List<Node> n = startNodes(3, b -> b.sso(false));
        String alice = uid("alice");
        List<Client> all = List.of(connect(n.get(0), alice + "/desk"), connect(n.get(1), alice + "/phone"),
                connect(n.get(2), alice + "/laptop"), connect(n.get(2), alice + "/tablet"));
        awaitConnections(alice, 4);

        SendResult r = sent(send(n.get(0), alice, "to every connection", Duration.ZERO));
        assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(r.queued()).isFalse();
        assertThat(r.deliveries()).as("one delivery per connection, local and remote").hasSize(4).allMatch(Delivery::succeeded);
        assertThat(r.deliveries()).allMatch(d -> d.device().uid().equals(alice));
        assertThat(deviceIds(r)).containsExactly("desk", "laptop", "phone", "tablet");
        assertThat(r.delivered()).isEqualTo(4);
        for (Client c : all) {
            assertThat(c.next()).as("what %s received", c).isEqualTo("to every connection");
        }

        // from a node without any of alice's connections
        Node d = startNode("d", b -> b.sso(false));
        SendResult fromD = sent(send(d, alice, "from d", LONG_TTL));
        assertThat(fromD.status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(fromD.queued()).isFalse();
        assertThat(deviceIds(fromD)).containsExactly("desk", "laptop", "phone", "tablet");
        for (Client c : all) {
            assertThat(c.next()).as("what %s received", c).isEqualTo("from d");
        }
    }

    @Test
    @DisplayName("a send to one device reaches that device's connection on another node, and no other")
    void sendToOneDeviceOnAnotherNode() throws Exception {
        List<Node> n = startNodes(3, b -> b.sso(false));
        String alice = uid("alice");
        Client phone = connect(n.get(1), alice + "/phone");
        Client laptop = connect(n.get(2), alice + "/laptop");
        awaitConnections(alice, 2);

        SendResult r = n.get(0).hub().send(Device.of(alice, "laptop"), utf8("laptop only"), Duration.ZERO)
                .toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(deviceIds(r)).containsExactly("laptop");
        assertThat(laptop.next()).isEqualTo("laptop only");
        assertThat(failure(n.get(0).hub().send(Device.of(alice, "watch"), utf8("x"), Duration.ZERO).toCompletableFuture()))
                .as("a device connected nowhere").isInstanceOf(OfflineException.class);
        // the phone got nothing before this
        assertThat(sent(send(n.get(0), alice, "everyone", Duration.ZERO)).delivered()).isEqualTo(2);
        assertThat(phone.next()).isEqualTo("everyone");
        assertThat(laptop.next()).isEqualTo("everyone");
    }

    @Test
    @DisplayName("500 sends from one thread on node a reach the user's connections on b and c in send order")
    void orderAcrossNodes() throws Exception {
        List<Node> n = startNodes(3, b -> b.sso(false));
        String bob = uid("bob");
        Client onB = connect(n.get(1), bob + "/phone");
        Client onC = connect(n.get(2), bob + "/laptop");
        awaitConnections(bob, 2);

        int count = 500;
        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(send(n.get(0), bob, "m" + i, Duration.ZERO));
        }
        // read while the sends complete: the clients read only on demand
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> read = new ArrayList<>();
            for (Client c : List.of(onB, onC)) {
                read.add(readers.submit(() -> {
                    List<String> frames = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        frames.add(c.next());
                    }
                    return frames;
                }));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add("m" + i);
            }
            for (int i = 0; i < 2; i++) {
                assertThat(read.get(i).get(patience().toMillis() * 2, TimeUnit.MILLISECONDS))
                        .as("the frames %s received, in order", i == 0 ? onB : onC).isEqualTo(expected);
            }
        } finally {
            readers.shutdownNow();
        }
        for (int i = 0; i < count; i++) {
            SendResult r = sent(sends.get(i));
            assertThat(r.delivered()).as("connections send %d reached", i).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("a zero-ttl send to a user offline on every node fails with OfflineException, also after the user left another node")
    void zeroTtlToUserOfflineEverywhere() throws Exception {
        List<Node> n = startNodes(2, b -> b);
        String ghost = uid("ghost");
        assertThat(failure(send(n.get(0), ghost, "x", Duration.ZERO))).isInstanceOf(OfflineException.class);

        String bob = uid("bob");
        Client onB = connect(n.get(1), bob + "/phone");
        awaitConnections(bob, 1);
        assertThat(sent(send(n.get(0), bob, "while online", Duration.ZERO)).delivered()).isEqualTo(1);
        assertThat(onB.next()).isEqualTo("while online");
        onB.connection.close();
        awaitConnections(bob, 0);
        assertThat(failure(send(n.get(0), bob, "after", Duration.ZERO))).as("bob left node b")
                .isInstanceOf(OfflineException.class);
    }

    @Test
    @DisplayName("a send with a ttl to an offline user is queued, and delivered at the user's login on another node, before later sends")
    void queuedThenDeliveredOnAnotherNode() throws Exception {
        List<Node> n = startNodes(3, b -> b);
        String carol = uid("carol");
        for (String m : List.of("q1", "q2")) {
            SendResult r = sent(send(n.get(0), carol, m, LONG_TTL));
            assertThat(r.status()).isEqualTo(SendResult.Status.QUEUED);
            assertThat(r.queued()).isTrue();
            assertThat(r.deliveries()).isEmpty();
        }
        Client onC = connect(n.get(2), carol + "/phone");
        assertThat(onC.next()).isEqualTo("q1");
        assertThat(onC.next()).isEqualTo("q2");
        awaitConnections(carol, 1);
        SendResult live = sent(send(n.get(1), carol, "live", Duration.ZERO));
        assertThat(live.delivered()).isEqualTo(1);
        assertThat(onC.next()).isEqualTo("live");

        // queued by two nodes, delivered at a login on the third: nothing twice
        onC.connection.close();
        awaitConnections(carol, 0);
        sent(send(n.get(1), carol, "q3", LONG_TTL));
        sent(send(n.get(2), carol, "q4", LONG_TTL));
        Client onA = connect(n.get(0), carol + "/laptop");
        assertThat(onA.next()).isEqualTo("q3");
        assertThat(onA.next()).isEqualTo("q4");
        awaitConnections(carol, 1);
        sent(send(n.get(2), carol, "end", Duration.ZERO));
        assertThat(onA.next()).as("nothing else came before it").isEqualTo("end");
    }

    // ---------------------------------------------------------------- kick

    @Test
    @DisplayName("kick closes the user's connections on every node and returns how many")
    void kickAcrossNodes() throws Exception {
        List<Node> n = startNodes(3, b -> b.sso(false));
        String dave = uid("dave");
        List<Client> all = List.of(connect(n.get(0), dave + "/desk"), connect(n.get(1), dave + "/phone"),
                connect(n.get(1), dave + "/tablet"));
        String erin = uid("erin");
        Client bystander = connect(n.get(1), erin + "/phone");
        awaitConnections(dave, 3);
        awaitConnections(erin, 1);

        assertThat(n.get(0).hub().kick(dave)).as("1 local + 2 on node b").isEqualTo(3);
        for (Client c : all) {
            assertThat(c.untilClosed()).as("frames to %s before the kick closed it (no bye)", c).isEmpty();
        }
        awaitConnections(dave, 0);
        assertThat(n.get(2).hub().kick(dave)).as("nothing left to kick").isZero();
        assertThat(n.get(2).hub().kick(uid("nobody"))).isZero();
        assertThat(sent(send(n.get(2), erin, "still here", Duration.ZERO)).delivered()).isEqualTo(1);
        assertThat(bystander.next()).isEqualTo("still here");
    }

    // ---------------------------------------------------------------- single sign-on

    @Test
    @DisplayName("single sign-on across nodes: a login on node b closes the older connection on node a with the bye payload")
    void singleSignOnAcrossNodes() throws Exception {
        List<Node> n = startNodes(3, b -> b);
        String erin = uid("erin");
        Client phone = connect(n.get(0), erin + "/phone");
        awaitConnections(erin, 1);
        Client laptop = connect(n.get(1), erin + "/laptop");
        assertThat(phone.next()).isEqualTo("bye:sso:phone");
        assertThat(phone.untilClosed()).as("frames after the bye").isEmpty();
        awaitConnections(erin, 1);
        eventually().until(() -> n.get(0).hub().connections(erin).isEmpty());

        SendResult r = sent(send(n.get(2), erin, "to the newest", Duration.ZERO));
        assertThat(deviceIds(r)).as("only the newest login is left").containsExactly("laptop");
        assertThat(laptop.next()).isEqualTo("to the newest");
    }

    @Test
    @DisplayName("50 times, one user logs in on two nodes at once: exactly one connection survives, the other gets the bye and closes")
    void singleSignOnRace() throws Exception {
        List<Node> n = startNodes(3, b -> b);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 50; round++) {
                String uid = uid("racer" + round);
                CountDownLatch go = new CountDownLatch(1);
                Future<Client> onA = pool.submit(() -> {
                    go.await();
                    return connect(n.get(0), uid + "/a");
                });
                Future<Client> onB = pool.submit(() -> {
                    go.await();
                    return connect(n.get(1), uid + "/b");
                });
                go.countDown();
                Client a = onA.get(patience().toMillis(), TimeUnit.MILLISECONDS);
                Client b = onB.get(patience().toMillis(), TimeUnit.MILLISECONDS);
                List<String> framesA = new ArrayList<>();
                List<String> framesB = new ArrayList<>();
                String r = "round " + round + ": ";
                eventually().alias(r + "one of the two logins closed")
                        .until(() -> a.closedNow(framesA) || b.closedNow(framesB));
                boolean aLost = a.closedNow(framesA);
                Client survivor = aLost ? b : a;
                Client loser = aLost ? a : b;
                List<String> loserFrames = aLost ? framesA : framesB;
                assertThat(loserFrames).as(r + "what the loser %s got before the close", loser)
                        .containsExactly("bye:sso:" + (aLost ? "a" : "b"));
                awaitConnections(uid, 1);
                SendResult sent = sent(send(n.get(2), uid, "who is left", Duration.ZERO));
                assertThat(deviceIds(sent)).as(r + "the connections a send reaches").containsExactly(aLost ? "b" : "a");
                assertThat(survivor.next()).as(r + "the survivor %s", survivor).isEqualTo("who is left");
                assertThat(survivor.closedNow(new ArrayList<>())).as(r + "the survivor is open").isFalse();
                assertThat(n.get(0).hub().connections(uid).size() + n.get(1).hub().connections(uid).size())
                        .as(r + "connections of the user on a and b").isEqualTo(1);
                survivor.connection.close();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- at-least-once

    @Test
    @DisplayName("at-least-once: sends on nodes a and b reach the device on c in log order with their ids; what it did not acknowledge comes again, same ids, when it connects to node a")
    void atLeastOnceAcrossNodes() throws Exception {
        List<Node> n = startNodes(3, b -> b.delivery(DeliveryMode.AT_LEAST_ONCE)
                .beforeSend(new BeforeSend() {
                    @Override
                    public byte[] beforeSend(Device device, byte[] payload) {
                        return payload;
                    }

                    @Override
                    public byte[] beforeSend(Device device, long id, byte[] payload) {
                        return utf8(id + ":" + string(payload));
                    }
                })
                .actor((connection, payload) -> {
                    String frame = string(payload);
                    if (frame.startsWith("ack:")) {
                        connection.acknowledge(Long.parseLong(frame.substring(4)));
                    }
                })
                .acknowledgeHook((device, upToId) -> acknowledged.add(device.uid() + "/" + device.deviceId() + ":" + upToId)));
        String bob = uid("bob");
        Client onC = connect(n.get(2), bob + "/phone");
        awaitConnections(bob, 1);

        List<Long> ids = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        String[][] sends = {{"0", "a1"}, {"1", "b1"}, {"0", "a2"}, {"1", "b2"}};
        for (String[] send : sends) {
            SendResult r = sent(send(n.get(Integer.parseInt(send[0])), bob, send[1], LONG_TTL));
            assertThat(r.id()).as("the id of %s", send[1]).isPositive();
            ids.add(r.id());
            expected.add(r.id() + ":" + send[1]);
        }
        assertThat(ids).as("ids in send order").isSorted().doesNotHaveDuplicates();
        for (String e : expected) {
            assertThat(onC.next()).as("the device on node c receives the log in order").isEqualTo(e);
        }

        onC.connection.send(utf8("ack:" + ids.get(1)));
        assertThat(acknowledged.poll(patience().toMillis(), TimeUnit.MILLISECONDS)).as("the acknowledgement stored")
                .isEqualTo(bob + "/phone:" + ids.get(1));
        onC.connection.close();
        awaitConnections(bob, 0);

        Client onA = connect(n.get(0), bob + "/phone");
        assertThat(onA.next()).as("first unacknowledged message, again, on node a").isEqualTo(expected.get(2));
        assertThat(onA.next()).isEqualTo(expected.get(3));
        awaitConnections(bob, 1);
        SendResult later = sent(send(n.get(2), bob, "c1", LONG_TTL));
        assertThat(later.id()).isGreaterThan(ids.get(3));
        assertThat(onA.next()).as("a later send from node c").isEqualTo(later.id() + ":c1");
    }

    // ---------------------------------------------------------------- the engine down

    @Test
    @DisplayName("the engine down: local delivery goes on, operations needing it fail fast with a TokException; back: connections, also one made meanwhile, are visible cluster-wide again")
    void engineDownAndBack() throws Exception {
        List<Node> n = startNodes(2, b -> b);
        String alice = uid("alice");
        String bob = uid("bob");
        Client aliceOnA = connect(n.get(0), alice + "/phone");
        Client bobOnA = connect(n.get(0), bob + "/phone");
        awaitConnections(alice, 1);
        awaitConnections(bob, 1);
        assertThat(sent(send(n.get(1), alice, "before", Duration.ZERO)).delivered()).isEqualTo(1);
        assertThat(aliceOnA.next()).isEqualTo("before");

        stopEngine();
        boolean restarted = false;
        try {
            Duration fast = Duration.ofSeconds(10);
            long t0 = System.nanoTime();
            SendResult local = sent(send(n.get(0), bob, "local", Duration.ZERO));
            assertThat(local.delivered()).as("a send to a user of this node").isEqualTo(1);
            assertThat(bobOnA.next()).isEqualTo("local");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the local send's time").isLessThan(fast);

            String carol = uid("carol");
            Client carolOnB = connect(n.get(1), carol + "/phone"); // a login while the engine is down
            eventually().until(() -> n.get(1).hub().connections(carol).size() == 1);
            assertThat(sent(send(n.get(1), carol, "local too", Duration.ZERO)).delivered()).isEqualTo(1);
            assertThat(carolOnB.next()).isEqualTo("local too");

            long t1 = System.nanoTime();
            Throwable online = null;
            try {
                n.get(0).hub().online();
            } catch (TokException e) {
                online = e;
            }
            assertThat(online).as("online() without the engine").isInstanceOf(TokException.class);
            assertThat(failure(send(n.get(0), uid("dave"), "x", Duration.ZERO)))
                    .as("a zero-ttl send to a user not on this node and not known").isInstanceOf(TokException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t1)).as("how fast they failed").isLessThan(fast.multipliedBy(2));

            restartEngine();
            restarted = true;
            for (String u : List.of(alice, bob, carol)) {
                eventually().alias(u + " visible on both nodes again").ignoreException(TokException.class)
                        .until(() -> n.get(0).hub().isOnline(u) && n.get(1).hub().isOnline(u));
            }
            Map<String, Client> clientOf = Map.of(alice, aliceOnA, bob, bobOnA, carol, carolOnB);
            for (String u : List.of(alice, bob, carol)) {
                Node other = u.equals(carol) ? n.get(0) : n.get(1);
                SendResult r = sent(send(other, u, "across again", Duration.ZERO));
                assertThat(r.delivered()).as("a send to %s from the other node", u).isEqualTo(1);
                assertThat(clientOf.get(u).next()).isEqualTo("across again");
            }
        } finally {
            if (!restarted) {
                restartEngine();
            }
        }
    }

    // ---------------------------------------------------------------- node leaving

    @Test
    @DisplayName("a node closed gracefully: its users are offline on the other nodes at once, and sends with a ttl to them are queued")
    void gracefulCloseOfflineAtOnce() throws Exception {
        List<Node> n = startNodes(3, b -> b);
        String frank = uid("frank");
        String gina = uid("gina");
        connect(n.get(1), frank + "/phone");
        Client ginaOnA = connect(n.get(0), gina + "/phone");
        awaitConnections(frank, 1);
        awaitConnections(gina, 1);

        n.get(1).server().close();
        Awaitility.await().alias("frank offline on node a within " + atOnce()).atMost(atOnce())
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> !n.get(0).hub().isOnline(frank) && !n.get(2).hub().isOnline(frank));
        assertThat(ours(n.get(0).hub().online())).containsExactly(gina);
        assertThat(ours(n.get(2).hub().online())).containsExactly(gina);
        assertThat(failure(send(n.get(0), frank, "x", Duration.ZERO))).isInstanceOf(OfflineException.class);
        SendResult queued = sent(send(n.get(0), frank, "waiting", LONG_TTL));
        assertThat(queued.queued()).isTrue();
        assertThat(queued.deliveries()).as("nothing written to the closed node's connections").isEmpty();

        Client frankOnC = connect(n.get(2), frank + "/phone");
        assertThat(frankOnC.next()).isEqualTo("waiting");
        assertThat(sent(send(n.get(2), gina, "still here", Duration.ZERO)).delivered()).isEqualTo(1);
        assertThat(ginaOnA.next()).isEqualTo("still here");
    }
}
