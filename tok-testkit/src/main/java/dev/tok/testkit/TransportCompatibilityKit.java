package dev.tok.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.HubObserver;
import dev.tok.api.SendResult;
import dev.tok.api.TokException;
import dev.tok.api.TokServer;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compatibility kit every tok transport must pass, built-in or third-party: what a transport
 * must do for the hub, whatever its medium.
 *
 * <p>Extend it, say how to add the transport under test to a {@link TokServer} and how a client
 * reaches it, and run it with JUnit 5:
 *
 * <!-- sample: TestkitJavadocSamples.java#transport-kit -->
 * <pre>{@code
 * class TcpTransportCompatibilityTest extends TransportCompatibilityKit {
 *     @Override
 *     protected void addTransport(TokServer.Builder builder, TransportLimits limits) {
 *         builder.transport("tcp", Map.of("host", "127.0.0.1", "port", "0",
 *                 "max-frame-length", String.valueOf(limits.maxFrameSize()),
 *                 "high-water-mark", String.valueOf(limits.highWaterMark()),
 *                 "max-pending-bytes", String.valueOf(limits.maxPendingBytes()),
 *                 "shutdown-grace-period", limits.stopGracePeriod().toMillis() + "ms"));
 *     }
 *
 *     @Override
 *     protected TransportClient client() {
 *         return new FramedSocketClient();
 *     }
 * }
 * }</pre>
 *
 * <p>The kit builds real servers through {@link TokServer}: a hub implementation (normally
 * {@code dev.tok:tok-core}) and the default queue ({@code dev.tok:tok-queue-memory}) must be on
 * the test runtime path. It talks to the transport only through the {@link TransportClient} the
 * subclass supplies, so any medium can be tested (TCP, WebSocket, Unix domain sockets, QUIC).
 *
 * <p>The kit's authenticator reads a token (see {@link #token(AuthRequest)}): {@code uid} or
 * {@code uid/device} is accepted as that device, {@code reject} is refused (401), {@code forbid}
 * is refused (403), {@code slow} is never answered.
 *
 * <p>What is checked: a transport starts once (the same error for every transport); a port in use fails the start with one wording (see {@link #addTransportOnPort}); authentication accepted, refused and timed out; frames keep their bytes
 * and order in both directions; the maximum frame size; the hub's read timeout (the transport
 * reports every frame, and closes when the hub says so); server pings; single sign-on (bye
 * payload, then close; the bye arrives also while frames stream to the older connection, whose
 * abort must write what the socket takes at once); slow consumers closed with nothing sent with a ttl lost; the cap on
 * unwritten bytes ({@link TransportLimits#maxPendingBytes()}); abort (kick) failing pending writes
 * at once; the close hook runs exactly once whoever closes; graceful stop; 200 concurrent
 * connections.
 *
 * <p><b>Edge cases</b> (opt-in): a transport with connection limits, inbound rate limits and
 * bans after failed authentications overrides
 * {@link #addTransport(TokServer.Builder, TransportLimits, EdgeLimits)}; the kit then checks that a
 * connection beyond the per-IP limit or the unauthenticated-per-IP limit is refused before
 * authentication (and never reaches the close hook), that a connection over its frame or byte
 * rate is closed with {@link CloseReason#RATE_LIMITED} (seen by the close hook and by a
 * {@link HubObserver}), and that an address is refused after repeated failed authentications
 * until its ban expires. Without the override these cases are reported as aborted, not passed.
 *
 * @since 0.1
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class TransportCompatibilityKit {

    /** One frame the actor received. */
    protected static final class Received {
        /** The sending device. */
        public final Device device;
        /** The payload. */
        public final byte[] payload;

        Received(Device device, byte[] payload) {
            this.device = device;
            this.payload = payload;
        }

        /** @return the payload as UTF-8 */
        public String string() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static final Duration LONG_TTL = Duration.ofMinutes(5);

    private final List<TokServer> servers = new CopyOnWriteArrayList<>();
    private final List<ClientConnection> connections = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> closeHookCalls = new ConcurrentHashMap<>();
    private final Map<String, CloseReason> closeReasons = new ConcurrentHashMap<>();
    /** What the actor received, in arrival order. */
    protected final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** The last request the authenticator saw. */
    protected final AtomicReference<AuthRequest> lastAuth = new AtomicReference<>();
    /** How many requests the authenticator saw. */
    protected final AtomicInteger authCalls = new AtomicInteger();
    /** The close reasons the hub reported to its observers ({@link HubObserver#connectionClosed}), in order. */
    protected final List<CloseReason> observedCloses = new CopyOnWriteArrayList<>();
    private TokServer server;
    private TransportClient client;

    // ---------------------------------------------------------------- what a subclass supplies

    /**
     * Adds the transport under test to the builder, usually
     * {@code builder.transport("my-transport", settings)}, listening on a loopback or otherwise
     * private address with a free port (or a fresh socket path).
     *
     * @param builder the server being assembled
     * @param limits  what the transport's settings must say
     */
    protected abstract void addTransport(TokServer.Builder builder, TransportLimits limits);

    /**
     * @return the client side of the transport's protocol; called once per test
     */
    protected abstract TransportClient client();

    /**
     * Adds the transport under test listening on {@code 127.0.0.1} and the given TCP port, with
     * the kit's {@link #limits()}, for the check that a port in use fails the start with the
     * message every built-in transport gives. The default aborts that check: override it for a
     * transport that listens on TCP ports.
     *
     * @param builder the server under construction
     * @param port    the port to listen on; the kit holds it with a {@link java.net.ServerSocket}
     * @since 0.1
     */
    protected void addTransportOnPort(TokServer.Builder builder, int port) {
        Assumptions.abort("the transport does not listen on TCP ports: override addTransportOnPort to check a port in use");
    }

    /**
     * Adds the transport under test, as {@link #addTransport(TokServer.Builder, TransportLimits)}
     * does, with the connection limits, rate limits and auth-failure ban of {@code edge} (every
     * other limit of the transport off or far away). Override it for a transport that has such
     * limits: the kit's edge cases run only then. The default aborts them (JUnit reports them as
     * aborted, not passed). tok's built-in transports pass {@link EdgeLimits#settings()}.
     *
     * @param builder the server being assembled
     * @param limits  what the transport's settings must say, as for {@link #addTransport(TokServer.Builder, TransportLimits)}
     * @param edge    the edge limits; 0 means off
     * @since 0.1
     */
    protected void addTransport(TokServer.Builder builder, TransportLimits limits, EdgeLimits edge) {
        Assumptions.abort("the transport has no edge limits (per-IP connections, rate limits, auth-failure bans): "
                + "override addTransport(TokServer.Builder, TransportLimits, EdgeLimits) to run this case");
    }

    /** @return the limits passed to {@link #addTransport}; {@link TransportLimits#DEFAULT} unless overridden */
    protected TransportLimits limits() {
        return TransportLimits.DEFAULT;
    }

    /** @return how many connections {@code manyConcurrentConnections} opens at once: 200 unless overridden */
    protected int connectionCount() {
        return 200;
    }

    /** @return the longest the kit waits for something that must happen (20s unless overridden) */
    protected Duration patience() {
        return Duration.ofSeconds(20);
    }

    /**
     * The credentials the kit's authenticator reads from a request: the first frame as UTF-8
     * when there is one, else the URI query parameter {@code token}, else the empty string
     * (refused). Override for a transport that carries credentials elsewhere.
     *
     * @param request what the connection presented
     * @return the token
     */
    protected String token(AuthRequest request) {
        Optional<byte[]> first = request.firstFrame();
        if (first.isPresent()) {
            return new String(first.get(), StandardCharsets.UTF_8);
        }
        return request.queryParameter("token").orElse("");
    }

    // ---------------------------------------------------------------- harness

    @AfterEach
    void closeEverything() {
        for (ClientConnection c : connections) {
            c.close();
        }
        for (TokServer s : servers) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // best effort; a failed stop was reported by the test that caused it
            }
        }
    }

    private CompletableFuture<Device> authenticate(AuthRequest request) {
        authCalls.incrementAndGet();
        lastAuth.set(request);
        String token = token(request);
        switch (token) {
            case "":
            case "reject":
                return CompletableFuture.failedFuture(new AuthenticationException("no valid token"));
            case "forbid":
                return CompletableFuture.failedFuture(new AuthenticationException("banned", 403));
            case "slow":
                return new CompletableFuture<>();
            default:
                int slash = token.indexOf('/');
                return CompletableFuture.completedFuture(slash < 0 ? Device.of(token, "default")
                        : Device.of(token.substring(0, slash), token.substring(slash + 1)));
        }
    }

    /**
     * Starts a server with the transport under test, added by {@link #addTransport}.
     *
     * @param hub adjusts the kit's hub configuration
     * @return the hub
     */
    protected final Hub start(UnaryOperator<HubConfig.Builder> hub) {
        return start(hub, b -> addTransport(b, limits()));
    }

    /**
     * Starts a server with the kit's actor, authenticator, close hook, bye generator and a ping
     * generator (interval one hour: no pings unless a test asks).
     *
     * @param hub       adjusts the hub configuration
     * @param transport adds the transport
     * @return the hub
     */
    protected final Hub start(UnaryOperator<HubConfig.Builder> hub, Consumer<TokServer.Builder> transport) {
        HubConfig.Builder config = HubConfig.builder()
                .actor((connection, payload) -> received.add(new Received(connection.device(), payload)))
                .authenticator(this::authenticate)
                .closeHook((device, reason) -> {
                    closeReasons.putIfAbsent(key(device), reason);
                    closeHookCalls.computeIfAbsent(key(device), k -> new AtomicInteger()).incrementAndGet();
                })
                .pingGenerator(() -> "hub-ping".getBytes(StandardCharsets.UTF_8))
                .pingInterval(Duration.ofHours(1))
                .writeTimeout(Duration.ofSeconds(5))
                .observer(new HubObserver() {
                    @Override
                    public void connectionClosed(Device device, String transport, CloseReason reason) {
                        observedCloses.add(reason);
                    }
                })
                .byeGenerator((kicker, reason, device) -> Optional.of(("bye:" + reason + ":" + kicker.deviceId())
                        .getBytes(StandardCharsets.UTF_8)));
        TokServer.Builder builder = TokServer.builder(hub.apply(config).build()).stopTimeout(Duration.ofSeconds(15));
        transport.accept(builder);
        TokServer s = builder.build();
        servers.add(s);
        s.start();
        server = s;
        return s.hub();
    }

    /** @return the server started last */
    protected final TokServer server() {
        return server;
    }

    /** @return the address of the transport started last */
    protected final SocketAddress address() {
        return server.listeners().get(0).address();
    }

    /** @return a condition factory waiting at most {@link #patience()}, polling often */
    protected final ConditionFactory eventually() {
        return Awaitility.await().atMost(patience()).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20));
    }

    /**
     * Opens a client connection to the transport started last; it is closed after the test.
     *
     * @param token the credentials
     * @return the connection
     * @throws IOException if it could not be opened
     */
    protected final ClientConnection connect(String token) throws IOException {
        ClientConnection c = transportClient().connect(address(), token);
        connections.add(c);
        return c;
    }

    private synchronized TransportClient transportClient() {
        if (client == null) {
            client = client();
        }
        return client;
    }

    /**
     * @param device a device
     * @return how often the close hook ran for it
     */
    protected final int closeHookCalls(String device) {
        AtomicInteger n = closeHookCalls.get(device);
        return n == null ? 0 : n.get();
    }

    /**
     * @param device a device, {@code uid/deviceId}
     * @return the reason the close hook was given for it, if it ran
     */
    protected final Optional<CloseReason> closeReason(String device) {
        return Optional.ofNullable(closeReasons.get(device));
    }

    private static String key(Device device) {
        return device.uid() + "/" + device.deviceId();
    }

    /** @return the next frame the actor received; fails after {@link #patience()} */
    protected final Received nextReceived() throws InterruptedException {
        Received r = received.poll(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as("a frame reached the actor within %s", patience()).isNotNull();
        return r;
    }

    /** @return the next frame the client received; fails after {@link #patience()} or when closed */
    private byte[] next(ClientConnection c) throws IOException {
        Optional<byte[]> f = c.receive(patience());
        assertThat(f).as("a frame reached the client within %s", patience()).isPresent();
        return f.get();
    }

    /**
     * Reads until the connection is closed, failing if no frame and no close came for
     * {@link #patience()}, or if it is still open after three times that. A client that reads
     * slowly (a loaded machine) may still be taking in what the operating system had buffered
     * before the server closed: while frames keep arriving that is progress, not a connection
     * left open.
     *
     * @param c the connection
     * @return the frames received before the close
     */
    protected final List<byte[]> drainUntilClosed(ClientConnection c) {
        return drainUntilClosed(c, null);
    }

    /** {@link #drainUntilClosed(ClientConnection)}, counting the frames in {@code received} (if not null) as they come. */
    private List<byte[]> drainUntilClosed(ClientConnection c, AtomicLong received) {
        List<byte[]> frames = new ArrayList<>();
        long patience = patience().toNanos();
        long cap = System.nanoTime() + 3 * patience;
        long deadline = System.nanoTime() + patience;
        try {
            while (System.nanoTime() < deadline) {
                Optional<byte[]> f = c.receive(Duration.ofMillis(200));
                if (f.isPresent()) {
                    frames.add(f.get());
                    if (received != null) {
                        received.incrementAndGet();
                    }
                    deadline = Math.min(cap, System.nanoTime() + patience);
                }
            }
        } catch (IOException closed) {
            return frames;
        }
        return fail("the connection was not closed within %s of its last frame, nor within %s in all (%d frames received)",
                patience(), patience().multipliedBy(3), frames.size());
    }

    /** Asserts the server refuses {@code token}: the connect fails, or the connection ends without a frame. */
    private void assertRefused(String token) {
        ClientConnection c;
        try {
            c = connect(token);
        } catch (IOException refused) {
            return;
        }
        assertThat(drainUntilClosed(c)).as("frames to a refused connection").isEmpty();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static SendResult sent(CompletableFuture<SendResult> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static CompletableFuture<SendResult> send(Hub hub, String uid, byte[] payload, Duration ttl) {
        return hub.send(uid, payload, ttl).toCompletableFuture();
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    @DisplayName("a transport starts once: a second start fails with IllegalStateException \"transport '<name>' already started; a Transport starts once\"")
    void startsOnce() throws Exception {
        Hub hub = start(b -> b);
        Transport transport = server().transports().get(0);
        TransportContext unused = new TransportContext() {
            @Override
            public HubConfig config() {
                return hub.config();
            }

            @Override
            public CompletionStage<Device> authenticate(AuthRequest request) {
                throw new AssertionError("a second start must not authenticate anything");
            }

            @Override
            public Connection register(Device device, ConAdapter adapter) {
                throw new AssertionError("a second start must not register anything");
            }
        };
        CompletableFuture<SocketAddress> second = transport.start(unused).toCompletableFuture();
        Throwable failure = null;
        try {
            second.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            failure = e.getCause();
        }
        assertThat(failure).as("the second start's failure").isInstanceOf(IllegalStateException.class)
                .hasMessage("transport '" + transport.name() + "' already started; a Transport starts once");
        assertThat(server().listeners()).hasSize(1);
    }

    @Test
    @DisplayName("a port in use fails start with \"transport '<name>' could not bind 127.0.0.1:<port>: address already in use; "
            + "choose another 'port' (tok.transport.<name>.port) or stop the process using it\"")
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Throwable failure = null;
            try {
                start(b -> b, b -> addTransportOnPort(b, port));
            } catch (TokException e) {
                failure = e;
            }
            assertThat(failure).as("the failure to start on a port in use").isNotNull();
            assertThat(failure.getMessage()).matches("transport '([a-z0-9-]+)' could not bind 127\\.0\\.0\\.1:" + port
                    + ": address already in use; choose another 'port' \\(tok\\.transport\\.\\1\\.port\\) or stop the process using it");
        }
    }

    // ---------------------------------------------------------------- authentication

    @Test
    @DisplayName("an accepted token registers its device; the authenticator sees the transport's name and the peer's address")
    void authenticationAccepted() throws Exception {
        Hub hub = start(b -> b);
        ClientConnection c = connect("alice/phone");
        eventually().until(() -> hub.isOnline("alice"));
        AuthRequest auth = lastAuth.get();
        assertThat(auth.transport()).isEqualTo(server().listeners().get(0).transport());
        assertThat(auth.remoteAddress()).isNotNull();
        assertThat(authCalls).hasValue(1);

        c.send(utf8("hello"));
        Received r = nextReceived();
        assertThat(r.device.uid()).isEqualTo("alice");
        assertThat(r.device.deviceId()).isEqualTo("phone");
        assertThat(r.string()).isEqualTo("hello");
        assertThat(sent(send(hub, "alice", utf8("hi alice"), Duration.ZERO)).status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(string(next(c))).isEqualTo("hi alice");
    }

    @Test
    @DisplayName("a refused token never registers a connection; the client sees it end; others are unaffected")
    void authenticationRefused() throws Exception {
        Hub hub = start(b -> b);
        ClientConnection ok = connect("ok");
        eventually().until(() -> hub.isOnline("ok"));
        assertRefused("reject");
        assertRefused("forbid");
        assertRefused("");
        assertThat(authCalls).hasValue(4);
        assertThat(hub.online()).containsExactly("ok");
        assertThat(hub.metrics().onlineConnections()).isEqualTo(1);
        ok.send(utf8("still here"));
        assertThat(nextReceived().string()).isEqualTo("still here");
        assertThat(received).isEmpty();
    }

    @Test
    @DisplayName("an authenticator slower than the auth timeout: the connection ends without being registered")
    void authenticationTimeout() throws Exception {
        Hub hub = start(b -> b.authTimeout(Duration.ofMillis(300)));
        assertRefused("slow");
        assertThat(authCalls).hasValue(1);
        assertThat(hub.online()).isEmpty();
        assertThat(hub.metrics().onlineConnections()).isZero();
    }

    // ---------------------------------------------------------------- frames

    @Test
    @DisplayName("frames keep their bytes and their order in both directions, empty and maximum-size frames included")
    void framesInOrderBothWays() throws Exception {
        Hub hub = start(b -> b);
        ClientConnection c = connect("order");
        eventually().until(() -> hub.isOnline("order"));
        int max = limits().maxFrameSize();
        List<byte[]> frames = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            // mostly small frames, every 25th up to the maximum: a burst that fits a transport's hard
            // cap on unwritten bytes (a few times the high-water mark) even if the socket takes little
            int size = i == 0 ? 0 : i == 1 ? max : i % 25 == 0 ? 4 + random.nextInt(max - 4) : 4 + random.nextInt(4096);
            byte[] f = new byte[size];
            if (i % 2 == 0) {
                Arrays.fill(f, (byte) ('a' + i % 26));
            } else {
                random.nextBytes(f);
            }
            if (size >= 4) {
                ByteBuffer.wrap(f).putInt(i);
            }
            frames.add(f);
        }

        for (byte[] f : frames) {
            c.send(f);
        }
        for (int i = 0; i < frames.size(); i++) {
            Received r = nextReceived();
            assertThat(r.payload).as("inbound frame %d", i).isEqualTo(frames.get(i));
            assertThat(r.device.uid()).isEqualTo("order");
        }

        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        for (byte[] f : frames) {
            sends.add(send(hub, "order", f, Duration.ZERO));
        }
        for (int i = 0; i < frames.size(); i++) {
            assertThat(next(c)).as("outbound frame %d", i).isEqualTo(frames.get(i));
        }
        for (CompletableFuture<SendResult> s : sends) {
            assertThat(sent(s).status()).isEqualTo(SendResult.Status.DELIVERED);
        }
        assertThat(c.receive(Duration.ZERO)).isEmpty();
    }

    @Test
    @DisplayName("a frame of the maximum size is accepted; one byte more closes that connection only, and never reaches the actor")
    void maxFrameSize() throws Exception {
        Hub hub = start(b -> b);
        int max = limits().maxFrameSize();
        ClientConnection other = connect("other");
        ClientConnection big = connect("big");
        eventually().until(() -> hub.isOnline("big") && hub.isOnline("other"));
        byte[] exact = new byte[max];
        Arrays.fill(exact, (byte) 'x');
        big.send(exact);
        assertThat(nextReceived().payload).isEqualTo(exact);

        byte[] tooBig = new byte[max + 1];
        Arrays.fill(tooBig, (byte) 'y');
        try {
            big.send(tooBig);
        } catch (IOException e) {
            // the server may close before the whole frame was written
        }
        drainUntilClosed(big);
        eventually().until(() -> !hub.isOnline("big"));
        eventually().until(() -> closeHookCalls("big/default") == 1);
        assertThat(received).as("nothing of the oversized frame reaches the actor").isEmpty();

        other.send(utf8("unaffected"));
        assertThat(nextReceived().string()).isEqualTo("unaffected");
        assertThat(hub.isOnline("other")).isTrue();
    }

    // ---------------------------------------------------------------- liveness

    @Test
    @DisplayName("a connection silent for the hub's read timeout is closed, once; one that keeps sending stays open")
    void readTimeout() throws Exception {
        Hub hub = start(b -> b.readTimeout(Duration.ofMillis(1000)));
        ClientConnection silent = connect("silent");
        ClientConnection chatty = connect("chatty");
        eventually().until(() -> hub.isOnline("silent") && hub.isOnline("chatty"));
        // a frame every 150 ms for 3 s: three read timeouts long, each gap under a sixth of one
        for (int i = 0; i < 20; i++) {
            chatty.send(utf8("beat " + i));
            assertThat(chatty.receive(Duration.ofMillis(150))).isEmpty();
        }
        assertThat(hub.isOnline("chatty")).as("a client that keeps sending stays online").isTrue();
        eventually().until(() -> !hub.isOnline("silent"));
        assertThat(drainUntilClosed(silent)).isEmpty();
        eventually().until(() -> closeHookCalls("silent/default") == 1);
        assertThat(closeHookCalls("chatty/default")).isZero();
    }

    @Test
    @DisplayName("server pings arrive as frames with the generator's payload; they do not count as activity of the peer")
    void serverPings() throws Exception {
        Hub hub = start(b -> b.pingGenerator(() -> utf8("ping")).pingInterval(Duration.ofMillis(150))
                .readTimeout(Duration.ofMillis(1000)));
        ClientConnection live = connect("live");
        ClientConnection mute = connect("mute");
        eventually().until(() -> hub.isOnline("live") && hub.isOnline("mute"));
        // the live client answers every ping for 3 s, three read timeouts
        int pings = 0;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3000);
        while (System.nanoTime() < end) {
            assertThat(string(next(live))).isEqualTo("ping");
            live.send(utf8("pong"));
            pings++;
        }
        assertThat(pings).as("pings received in 3 s at an interval of 150 ms").isGreaterThanOrEqualTo(4);
        assertThat(hub.isOnline("live")).isTrue();
        // the mute client was sent pings too, but never sent anything: closed at the read timeout
        eventually().until(() -> !hub.isOnline("mute"));
        for (byte[] f : drainUntilClosed(mute)) {
            assertThat(string(f)).isEqualTo("ping");
        }
        assertThat(closeHookCalls("mute/default")).isEqualTo(1);
        assertThat(closeHookCalls("live/default")).isZero();
    }

    @Test
    @DisplayName("single sign-on: the older connection receives the bye payload, then is closed; the newer one stays")
    void singleSignOnByeThenClose() throws Exception {
        Hub hub = start(b -> b);
        ClientConnection first = connect("bob/d1");
        eventually().until(() -> hub.isOnline("bob"));
        ClientConnection second = connect("bob/d2");
        assertThat(string(next(first))).isEqualTo("bye:sso:d2");
        assertThat(drainUntilClosed(first)).as("frames after the bye").isEmpty();
        eventually().until(() -> closeHookCalls("bob/d1") == 1);
        eventually().until(() -> hub.metrics().onlineConnections() == 1);
        assertThat(sent(send(hub, "bob", utf8("after"), Duration.ZERO)).delivered()).isEqualTo(1);
        assertThat(string(next(second))).isEqualTo("after");
        second.send(utf8("from d2"));
        Received r = nextReceived();
        assertThat(r.device.deviceId()).isEqualTo("d2");
        assertThat(closeHookCalls("bob/d2")).isZero();
    }

    @Test
    @DisplayName("single sign-on while frames stream to the older connection, which reads: the bye still arrives (an "
            + "abort writes what the socket takes at once), and so does every frame reported delivered to it")
    void singleSignOnByeWhileStreaming() throws Exception {
        Hub hub = start(b -> b);
        byte[] payload = new byte[512];
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String uid = "stream" + round;
                ClientConnection first = connect(uid + "/d1");
                eventually().until(() -> hub.isOnline(uid));
                // Both clients read all the time. The sender keeps at most 16 sends in flight, so
                // writes wait in the transport most of the time, and stays at most 128 messages
                // (64 KiB) ahead of what the first client received, far less than loopback socket
                // buffers hold: its socket never fills up, so an abort must write what waits in
                // the transport, the bye included.
                AtomicLong received = new AtomicLong();
                Future<List<byte[]>> firstFrames = readers.submit(() -> drainUntilClosed(first, received));
                AtomicBoolean streaming = new AtomicBoolean(true);
                Queue<CompletableFuture<SendResult>> sends = new ConcurrentLinkedQueue<>();
                Thread sender = new Thread(() -> {
                    ArrayDeque<CompletableFuture<SendResult>> window = new ArrayDeque<>();
                    long sent = 0;
                    while (sent < 20_000 && streaming.get()) {
                        if (sent - received.get() >= 128) {
                            LockSupport.parkNanos(50_000);
                            continue;
                        }
                        if (window.size() == 16) {
                            window.poll().handle((r, e) -> r).orTimeout(patience().toMillis(), TimeUnit.MILLISECONDS).join();
                        }
                        CompletableFuture<SendResult> f = send(hub, uid, payload, Duration.ZERO);
                        window.add(f);
                        sends.add(f);
                        sent++;
                    }
                }, "kit-sender");
                sender.start();
                Future<?> secondReader = null;
                try {
                    // let the stream reach the first connection's writes, then replace it
                    eventually().until(() -> sends.stream().filter(CompletableFuture::isDone).count() > 50);
                    ClientConnection second = connect(uid + "/d2");
                    secondReader = readers.submit(() -> {
                        try {
                            while (streaming.get()) {
                                second.receive(Duration.ofMillis(50));
                            }
                        } catch (IOException closed) {
                            // the test fails elsewhere if this matters
                        }
                    });
                    List<byte[]> frames = firstFrames.get(patience().toMillis() * 4, TimeUnit.MILLISECONDS);
                    streaming.set(false);
                    sender.join(patience().toMillis());
                    long messages = frames.stream().filter(f -> f.length == payload.length).count();
                    List<String> others = frames.stream().filter(f -> f.length != payload.length)
                            .map(TransportCompatibilityKit::string).collect(java.util.stream.Collectors.toList());
                    assertThat(others).as("round %d: the frames besides the %d messages", round, messages).contains("bye:sso:d2");
                    eventually().until(() -> sends.stream().allMatch(CompletableFuture::isDone));
                    long reported = sends.stream()
                            .filter(f -> !f.isCompletedExceptionally()) // failed on every connection
                            .map(CompletableFuture::join)
                            .filter(r -> r.deliveries().stream().anyMatch(d -> d.device().deviceId().equals("d1") && d.succeeded()))
                            .count();
                    assertThat(messages).as("round %d: frames of messages reported delivered to d1", round)
                            .isGreaterThanOrEqualTo(reported);
                } finally {
                    streaming.set(false);
                    sender.join(patience().toMillis());
                    if (secondReader != null) {
                        secondReader.get(patience().toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
            }
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    @DisplayName("a client that stops reading is closed as a slow consumer, and nothing sent with a ttl is lost")
    void slowConsumer() throws Exception {
        Hub hub = start(b -> b.writeTimeout(Duration.ofMillis(500)));
        ClientConnection slow = connect("slow/stuck");
        eventually().until(() -> hub.isOnline("slow"));
        // The client never reads. Send until the transport closes it: at most 2048 frames of 16 KiB.
        int size = 16 * 1024;
        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        for (int i = 0; i < 2048 && hub.isOnline("slow"); i++) {
            byte[] payload = new byte[size];
            ByteBuffer.wrap(payload).putInt(i);
            sends.add(send(hub, "slow", payload, LONG_TTL));
            if (i % 64 == 63) {
                CompletableFuture<SendResult> last = sends.get(sends.size() - 1);
                eventually().until(() -> last.isDone() || !hub.isOnline("slow"));
            }
        }
        eventually().until(() -> !hub.isOnline("slow"));
        int n = sends.size();
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null).get(30, TimeUnit.SECONDS);
        int queued = 0;
        for (int i = 0; i < n; i++) {
            CompletableFuture<SendResult> f = sends.get(i);
            assertThat(f).as("send %d with a ttl succeeds: written or queued", i).isCompletedWithValueMatching(r -> r != null);
            queued += f.join().queued() ? 1 : 0;
        }
        assertThat(queued).as("frames the slow consumer could not take are queued").isPositive();
        eventually().until(() -> closeHookCalls("slow/stuck") == 1);

        // What the transport handed to the operating system before the close is still readable.
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        List<Integer> order = new ArrayList<>();
        for (byte[] f : drainUntilClosed(slow)) {
            order.add(ByteBuffer.wrap(f).getInt());
        }
        assertThat(isSorted(order)).as("frames of one connection arrive in send order: %s", order).isTrue();
        seen.addAll(order);
        // Reading clients fetch the rest. With so small a high-water mark a reading client may be
        // judged slow as well while the backlog floods it; it then reconnects, and still nothing
        // may be missing.
        AtomicInteger reconnects = new AtomicInteger();
        AtomicReference<ClientConnection> current = new AtomicReference<>();
        List<Integer> currentOrder = new ArrayList<>();
        AtomicReference<List<Integer>> disorder = new AtomicReference<>();
        Awaitility.await().atMost(patience().multipliedBy(3)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
            ClientConnection c = current.get();
            if (c != null) {
                try {
                    for (Optional<byte[]> f = c.receive(Duration.ofMillis(50)); f.isPresent(); f = c.receive(Duration.ZERO)) {
                        int id = ByteBuffer.wrap(f.get()).getInt();
                        seen.add(id);
                        currentOrder.add(id);
                    }
                } catch (IOException closed) {
                    current.set(null);
                }
                if (disorder.get() == null && !isSorted(currentOrder)) {
                    disorder.set(List.copyOf(currentOrder));
                }
            }
            if (current.get() == null && seen.size() < n) {
                currentOrder.clear();
                current.set(connect("slow/reader" + reconnects.incrementAndGet()));
            }
            return seen.size() == n || disorder.get() != null;
        });
        assertThat(disorder.get()).as("redelivered frames arrive in send order").isNull();
        assertThat(seen).hasSize(n);
    }

    @Test
    @DisplayName("a client that stops reading is closed as a slow consumer once its unwritten bytes would pass "
            + "max-pending-bytes, long before the write timeout; the close hook sees SLOW_CONSUMER")
    void maxPendingBytes() throws Exception {
        Hub hub = start(b -> b.writeTimeout(Duration.ofMinutes(5)));
        ClientConnection capped = connect("capped/stuck");
        eventually().until(() -> hub.isOnline("capped"));
        // The client never reads. Frames of 16 KiB, ttl 0, without waiting for them, until the transport
        // closes it: the loopback socket buffers take a few MiB, and the unwritten bytes reach the cap
        // as fast as the frames are sent (a cap that does not trip leaves the connection open: fails).
        byte[] payload = new byte[16 * 1024];
        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        for (int i = 0; i < 4096 && hub.isOnline("capped"); i++) {
            sends.add(send(hub, "capped", payload, Duration.ZERO));
        }
        eventually().until(() -> !hub.isOnline("capped"));
        eventually().until(() -> closeHookCalls("capped/stuck") == 1);
        assertThat(closeReason("capped/stuck")).contains(CloseReason.SLOW_CONSUMER);
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null)
                .get(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(sends).as("sends that were never written do not count as delivered")
                .anyMatch(f -> f.isCompletedExceptionally() || f.join().delivered() == 0);
        drainUntilClosed(capped);
        Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                .until(() -> closeHookCalls("capped/stuck") == 1);
    }

    @Test
    @DisplayName("kick aborts: with a client that stopped reading and the socket buffers full, every pending write "
            + "completes within 2 s (write timeout 5 min, close grace 30 s), the close hook sees KICKED and the connection ends")
    void abortFailsPendingWritesAtOnce() throws Exception {
        TransportLimits l = limits();
        // a cap and a close grace (WebSocket transports cut a close short after stopGracePeriod) far
        // longer than the test waits: only an abort can end the pending writes in time
        TransportLimits roomy = new TransportLimits(l.maxFrameSize(), l.highWaterMark(), Duration.ofSeconds(30), 1L << 30);
        Hub hub = start(b -> b.writeTimeout(Duration.ofMinutes(5)), b -> addTransport(b, roomy));
        ClientConnection gone = connect("gone/stuck");
        eventually().until(() -> hub.isOnline("gone"));
        // 32 MiB, ttl 0: more than loopback socket buffers hold, far less than the cap
        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        byte[] payload = new byte[16 * 1024];
        for (int i = 0; i < 2048; i++) {
            sends.add(send(hub, "gone", payload, Duration.ZERO));
        }
        CompletableFuture<SendResult> last = sends.get(sends.size() - 1);
        Awaitility.await().during(Duration.ofMillis(300)).atMost(patience()).until(() -> !last.isDone());
        assertThat(hub.isOnline("gone")).as("not closed for being slow: the write timeout is 5 min").isTrue();

        assertThat(hub.kick("gone")).isEqualTo(1);
        Awaitility.await("every pending write of the aborted connection completes").atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> sends.stream().allMatch(CompletableFuture::isDone));
        assertThat(sends).as("writes the client never read are not delivered")
                .anyMatch(f -> f.isCompletedExceptionally() || f.join().delivered() == 0);
        eventually().until(() -> closeHookCalls("gone/stuck") == 1);
        assertThat(closeReason("gone/stuck")).contains(CloseReason.KICKED);
        drainUntilClosed(gone);
    }

    private static boolean isSorted(List<Integer> ids) {
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i - 1) >= ids.get(i)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- closing

    @Test
    @DisplayName("the close hook runs exactly once per connection, whoever closes it: client, kick, single sign-on, oversize, stop")
    void closeHookExactlyOnce() throws Exception {
        Hub hub = start(b -> b);
        ClientConnection byClient = connect("client");
        ClientConnection kicked = connect("kicked");
        ClientConnection replaced = connect("sso/old");
        ClientConnection oversize = connect("oversize");
        ClientConnection stopped = connect("stopped");
        eventually().until(() -> hub.online().size() == 5);

        byClient.close();
        eventually().until(() -> !hub.isOnline("client"));
        assertThat(hub.kick("kicked")).isEqualTo(1);
        drainUntilClosed(kicked);
        ClientConnection replacement = connect("sso/new");
        drainUntilClosed(replaced);
        try {
            oversize.send(new byte[limits().maxFrameSize() + 1]);
        } catch (IOException e) {
            // closed before the whole frame was written
        }
        drainUntilClosed(oversize);
        eventually().until(() -> closeHookCalls("client/default") == 1 && closeHookCalls("kicked/default") == 1
                && closeHookCalls("sso/old") == 1 && closeHookCalls("oversize/default") == 1);
        assertThat(hub.online()).containsExactlyInAnyOrder("sso", "stopped");

        server().close();
        drainUntilClosed(stopped);
        drainUntilClosed(replacement);
        List<String> devices = List.of("client/default", "kicked/default", "sso/old", "oversize/default", "stopped/default", "sso/new");
        eventually().until(() -> devices.stream().allMatch(d -> closeHookCalls(d) == 1));
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> devices.stream().allMatch(d -> closeHookCalls(d) == 1));
        assertThat(closeHookCalls).containsOnlyKeys(devices);
    }

    @Test
    @DisplayName("stop with connections open, one not reading: finishes in bounded time, every client gets what was written and the shutdown bye, then the end; nothing new is accepted")
    void gracefulStop() throws Exception {
        Hub hub = start(b -> b);
        List<ClientConnection> readers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            readers.add(connect("reader" + i));
        }
        ClientConnection deaf = connect("deaf");
        eventually().until(() -> hub.online().size() == 11);
        for (int i = 0; i < 10; i++) {
            sent(send(hub, "reader" + i, utf8("before stop"), Duration.ZERO));
        }
        // fill the deaf client's buffers and more: the transport holds unwritten bytes when stopping
        for (int i = 0; i < 256; i++) {
            send(hub, "deaf", new byte[16 * 1024], Duration.ZERO);
        }

        server().close(); // throws if a transport does not stop within the server's stop timeout

        for (int i = 0; i < 10; i++) {
            List<byte[]> last = drainUntilClosed(readers.get(i));
            // what was written before, then the hub's shutdown bye (the kick's generator, reason
            // "shutdown", the connection's own device), then the close
            assertThat(last).as("reader %d", i).hasSize(2);
            assertThat(string(last.get(0))).isEqualTo("before stop");
            assertThat(string(last.get(1))).isEqualTo("bye:shutdown:default");
        }
        drainUntilClosed(deaf);
        eventually().until(() -> closeHookCalls.values().stream().mapToInt(AtomicInteger::get).sum() == 11);
        for (int i = 0; i < 10; i++) {
            assertThat(closeHookCalls("reader" + i + "/default")).isEqualTo(1);
        }
        assertThat(closeHookCalls("deaf/default")).isEqualTo(1);
        int before = authCalls.get();
        assertRefused("late");
        assertThat(authCalls).as("no authentication after stop").hasValue(before);
    }

    // ---------------------------------------------------------------- the edge (opt-in)

    /**
     * Starts a server with the transport under test and the given edge limits (aborts the test
     * unless the subclass supports them).
     */
    private Hub startEdge(EdgeLimits edge, UnaryOperator<HubConfig.Builder> hub) {
        return start(hub, b -> addTransport(b, limits(), edge));
    }

    /**
     * Connects as {@code uid} until a connection is admitted and registered (a refused attempt is
     * closed and retried), failing after {@link #patience()}.
     */
    private ClientConnection connectWhenAdmitted(Hub hub, String uid) {
        AtomicReference<ClientConnection> admitted = new AtomicReference<>();
        eventually().pollInterval(Duration.ofMillis(50)).until(() -> {
            ClientConnection c;
            try {
                c = connect(uid);
            } catch (IOException refused) {
                return false;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            try {
                while (System.nanoTime() < deadline) {
                    if (hub.isOnline(uid)) {
                        admitted.set(c);
                        return true;
                    }
                    c.receive(Duration.ofMillis(20)); // throws once the server closed a refused connection
                }
            } catch (IOException refused) {
                // closed by the server: refused
            }
            c.close();
            return false;
        });
        return admitted.get();
    }

    /** Sends frames until the server closes the connection or {@code max} were sent; @return how many were sent. */
    private static int sendUntilClosed(Hub hub, String uid, ClientConnection c, int max, byte[] payload) {
        int sent = 0;
        try {
            while (sent < max && hub.isOnline(uid)) {
                c.send(payload);
                sent++;
            }
        } catch (IOException closed) {
            // the server closed it while we were sending
        }
        return sent;
    }

    private int receivedFrom(String uid) {
        int n = 0;
        for (Received r : received) {
            n += r.device.uid().equals(uid) ? 1 : 0;
        }
        return n;
    }

    @Test
    @DisplayName("edge: a connection beyond max-connections-per-ip is refused before authentication and never reaches the "
            + "close hook; the others stay; a closed one makes room")
    void maxConnectionsPerIp() throws Exception {
        Hub hub = startEdge(EdgeLimits.none().withMaxConnectionsPerIp(3), b -> b);
        List<ClientConnection> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(connect("member" + i));
        }
        eventually().until(() -> hub.metrics().onlineConnections() == 3);
        assertRefused("intruder");
        assertThat(authCalls).as("the refused connection never reached the authenticator").hasValue(3);
        assertThat(hub.isOnline("intruder")).isFalse();
        assertThat(closeHookCalls("intruder/default")).isZero();
        assertThat(observedCloses).as("a refused connection is no closed connection of the hub").isEmpty();
        members.get(1).send(utf8("still here"));
        assertThat(nextReceived().string()).isEqualTo("still here");

        members.get(0).close();
        eventually().until(() -> !hub.isOnline("member0"));
        connectWhenAdmitted(hub, "newcomer");
        assertThat(hub.metrics().onlineConnections()).isEqualTo(3);
    }

    @Test
    @DisplayName("edge: beyond max-unauthenticated-per-ip logins in progress, a connection is refused before authentication; "
            + "authenticated connections do not count; once the pending logins end there is room again")
    void maxUnauthenticatedPerIp() throws Exception {
        Hub hub = startEdge(EdgeLimits.none().withMaxUnauthenticatedPerIp(2), b -> b.authTimeout(Duration.ofMillis(1500)));
        connect("a");
        connect("b");
        eventually().until(() -> hub.metrics().onlineConnections() == 2);
        ExecutorService pending = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> slow = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                slow.add(pending.submit(() -> {
                    try {
                        drainUntilClosed(connect("slow"));
                    } catch (IOException refused) {
                        // a WebSocket upgrade answered 503 after the auth timeout
                    }
                    return null;
                }));
            }
            eventually().until(() -> authCalls.get() == 4);
            assertRefused("late");
            assertThat(authCalls).as("the refused login never reached the authenticator").hasValue(4);
            assertThat(hub.isOnline("late")).isFalse();
            for (Future<?> f : slow) {
                f.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pending.shutdownNow();
        }
        connectWhenAdmitted(hub, "after");
        assertThat(closeHookCalls("late/default")).isZero();
        assertThat(hub.metrics().onlineConnections()).isEqualTo(3);
    }

    @Test
    @DisplayName("edge: a connection sending frames faster than rate-limit-frames-per-second beyond its burst is closed; "
            + "the close hook and the observers see RATE_LIMITED; a calm connection stays")
    void frameRateLimit() throws Exception {
        Hub hub = startEdge(EdgeLimits.none().withFrameRate(10, 20), b -> b);
        ClientConnection calm = connect("calm");
        ClientConnection flood = connect("flood");
        eventually().until(() -> hub.isOnline("calm") && hub.isOnline("flood"));
        for (int i = 0; i < 5; i++) {
            calm.send(utf8("calm " + i));
        }
        long start = System.nanoTime();
        int sent = sendUntilClosed(hub, "flood", flood, 2000, utf8("flood"));
        drainUntilClosed(flood);
        double seconds = (System.nanoTime() - start) / 1e9;
        eventually().until(() -> closeHookCalls("flood/default") == 1);
        assertThat(closeReason("flood/default")).contains(CloseReason.RATE_LIMITED);
        assertThat(observedCloses).as("what a closes-by-reason meter counts").containsExactly(CloseReason.RATE_LIMITED);
        eventually().until(() -> receivedFrom("calm") == 5);
        assertThat(receivedFrom("flood")).as("flood frames reaching the actor (%d sent in %.2f s)", sent, seconds)
                .isLessThanOrEqualTo(20 + (int) Math.ceil(10 * seconds) + 1).isLessThan(sent);
        calm.send(utf8("calm again"));
        eventually().until(() -> receivedFrom("calm") == 6);
        assertThat(hub.isOnline("calm")).isTrue();
        assertThat(closeHookCalls("calm/default")).isZero();
    }

    @Test
    @DisplayName("edge: a connection sending more payload bytes per second than rate-limit-bytes-per-second beyond its burst "
            + "is closed with RATE_LIMITED; a frame of the maximum size within the burst passes")
    void byteRateLimit() throws Exception {
        int max = limits().maxFrameSize();
        Hub hub = startEdge(EdgeLimits.none().withByteRate(max / 4, max), b -> b);
        ClientConnection big = connect("big");
        eventually().until(() -> hub.isOnline("big"));
        big.send(new byte[max]);
        assertThat(nextReceived().payload).hasSize(max);
        int sent = sendUntilClosed(hub, "big", big, 200, new byte[max / 4]);
        drainUntilClosed(big);
        eventually().until(() -> closeHookCalls("big/default") == 1);
        assertThat(closeReason("big/default")).contains(CloseReason.RATE_LIMITED);
        assertThat(receivedFrom("big")).as("frames of a quarter of the burst that passed, of %d sent", sent).isLessThan(sent);
    }

    @Test
    @DisplayName("edge: after auth-failure-limit failed authentications an address is refused, before authentication, "
            + "until the ban expires")
    void authFailureBan() throws Exception {
        Duration ban = Duration.ofMillis(600);
        Hub hub = startEdge(EdgeLimits.none().withAuthFailureBan(3, Duration.ofSeconds(30), ban), b -> b);
        assertRefused("reject");
        assertRefused("forbid");
        long beforeThird = System.nanoTime();
        assertRefused("reject");
        assertThat(authCalls).hasValue(3);
        assertRefused("honest");
        assertThat(authCalls).as("a banned address does not reach the authenticator").hasValue(3);
        assertThat(hub.isOnline("honest")).isFalse();
        connectWhenAdmitted(hub, "honest");
        assertThat(Duration.ofNanos(System.nanoTime() - beforeThird)).as("admitted again once the ban expired")
                .isGreaterThanOrEqualTo(ban);
        assertThat(observedCloses).isEmpty();
    }

    // ---------------------------------------------------------------- scale

    @Test
    @DisplayName("many concurrent connections (connectionCount(), 200 by default) authenticate, exchange frames both ways and close")
    void manyConcurrentConnections() throws Exception {
        Hub hub = start(b -> b);
        int n = connectionCount();
        ClientConnection[] clients = new ClientConnection[n];
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> logins = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                logins.add(pool.submit(() -> {
                    clients[id] = connect("u" + id);
                    return null;
                }));
            }
            for (Future<?> f : logins) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> hub.metrics().onlineConnections() == n);
        assertThat(hub.online()).hasSize(n);

        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients[i].send(utf8("from u" + i));
            sends.add(send(hub, "u" + i, utf8("to u" + i), Duration.ZERO));
        }
        Map<String, String> got = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Received r = nextReceived();
            got.put(r.device.uid(), r.string());
        }
        for (int i = 0; i < n; i++) {
            assertThat(got).containsEntry("u" + i, "from u" + i);
            assertThat(string(next(clients[i]))).isEqualTo("to u" + i);
            assertThat(sent(sends.get(i)).status()).isEqualTo(SendResult.Status.DELIVERED);
        }
        for (ClientConnection c : clients) {
            c.close();
        }
        eventually().until(() -> hub.metrics().onlineConnections() == 0);
        eventually().until(() -> closeHookCalls.values().stream().mapToInt(AtomicInteger::get).sum() == n);
    }
}
