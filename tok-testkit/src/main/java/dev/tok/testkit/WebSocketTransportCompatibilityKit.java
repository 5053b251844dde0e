package dev.tok.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.AuthRequest;
import dev.tok.api.CloseReason;
import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.Inflater;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility kit every tok WebSocket transport must pass, built-in ({@code jetty-ws},
 * {@code netty-ws}) or third-party: one behaviour for every engine.
 *
 * <p>Extend it, implement {@link #addTransport(TokServer.Builder, Map)}, and run it with JUnit 5:
 *
 * <!-- sample: TestkitJavadocSamples.java#websocket-kit -->
 * <pre>{@code
 * class NettyWsCompatibilityTest extends WebSocketTransportCompatibilityKit {
 *     @Override
 *     protected void addTransport(TokServer.Builder builder, Map<String, String> settings) {
 *         builder.transport("netty-ws", settings);
 *     }
 * }
 * }</pre>
 *
 * <p>The kit builds real servers through {@link TokServer} (so a hub implementation, normally
 * {@code dev.tok:tok-core}, and a queue, normally {@code tok-queue-memory}, must be on the test
 * runtime path) and talks to them over loopback sockets with the JDK's
 * {@link java.net.http.WebSocket} and, where the JDK client cannot do it (reading a refused
 * upgrade's status, offering extensions, hand-made fragments, a client that ignores the close),
 * with a minimal socket client. In a named module, tests need {@code --add-modules java.net.http}.
 *
 * <p>The settings the kit passes use the WebSocket vocabulary shared by the built-in transports:
 * {@code host}, {@code port} (0), {@code path}, {@code max-message-size},
 * {@code ping-interval}, {@code message-type}, {@code allowed-origins},
 * {@code permessage-deflate}, {@code tls-keystore}/{@code tls-keystore-password},
 * {@code tls-cert}/{@code tls-key}, {@code tls-client-auth} with
 * {@code tls-truststore}/{@code tls-truststore-password}, {@code high-water-mark},
 * {@code max-pending-bytes}, {@code write-timeout} and {@code stop-timeout}. The read timeout is
 * the hub's ({@code HubConfig.Builder.readTimeout}); the transport reports pongs and other control
 * frames to it as activity.
 *
 * <p>It runs every case of {@link TransportCompatibilityKit} (authentication, frames in order,
 * maximum size, read timeout, server pings, single sign-on, slow consumers, max-pending-bytes,
 * abort, the close hook,
 * graceful stop, 200 concurrent connections) through the JDK's WebSocket client, the token in the
 * query parameter {@code token}, and adds the WebSocket rules: authentication from the upgrade
 * request (URI, query, headers, cookies, remote address) with 401/403/503 answered before any
 * upgrade; one message per payload in text (default) and binary mode; text and binary input;
 * fragmented input joined; oversize messages closed with 1009; Origin rules; the hub's read
 * timeout and WebSocket ping keep-alive (pongs count as activity); the close status after a single sign-on bye; permessage-deflate
 * on/off; the read-timeout close status 4004; TLS from a key store and from PEM files; client certificates required and optional,
 * the verified chain reaching the authenticator; graceful stop with 1001; strict settings; the
 * edge limits ({@link EdgeLimits#settings()}) refusing an upgrade with 503 before authentication.
 *
 * @since 0.1
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class WebSocketTransportCompatibilityKit extends TransportCompatibilityKit {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path certificateDir;
    private static TestCertificates certificates;

    private final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();
    private HttpClient http;

    /**
     * Adds the transport under test to the builder with the kit's settings, usually
     * {@code builder.transport("my-ws", settings)}.
     *
     * @param builder  the server being assembled
     * @param settings settings in the shared WebSocket vocabulary, always with {@code host}
     *                 127.0.0.1 and {@code port} 0
     */
    protected abstract void addTransport(TokServer.Builder builder, Map<String, String> settings);

    /**
     * @return whether stopping the transport releases its port; false for a transport mounted in
     *         a server the application keeps running
     */
    protected boolean releasesPortOnStop() {
        return true;
    }

    /**
     * Runs {@link TransportCompatibilityKit}'s cases with the shared WebSocket settings:
     * {@code max-message-size}, {@code high-water-mark}, {@code max-pending-bytes} and
     * {@code stop-timeout} from the limits,
     * WebSocket pings off ({@code ping-interval} 0) so that only the hub's read timeout applies.
     */
    @Override
    protected final void addTransport(TokServer.Builder builder, TransportLimits limits) {
        addTransport(builder, limits, 0);
    }

    /**
     * The WebSocket transport with the shared settings on the given port. Override to abort the
     * check for a transport that binds no port itself (one mounted into the application's server).
     */
    @Override
    protected void addTransportOnPort(TokServer.Builder builder, int port) {
        addTransport(builder, limits(), port);
    }

    /**
     * Runs the kit's edge cases with the shared WebSocket settings of
     * {@link #addTransport(TokServer.Builder, TransportLimits)} and {@link EdgeLimits#settings()}
     * (the same keys in every built-in transport): a WebSocket transport passing this kit
     * understands them. Override to abort them for one that does not.
     */
    @Override
    protected void addTransport(TokServer.Builder builder, TransportLimits limits, EdgeLimits edge) {
        addTransport(builder, limits, 0, edge.settings());
    }

    private void addTransport(TokServer.Builder builder, TransportLimits limits, int port) {
        addTransport(builder, limits, port, Map.of());
    }

    private void addTransport(TokServer.Builder builder, TransportLimits limits, int port, Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", String.valueOf(port));
        settings.put("max-message-size", String.valueOf(limits.maxFrameSize()));
        settings.put("high-water-mark", String.valueOf(limits.highWaterMark()));
        settings.put("max-pending-bytes", String.valueOf(limits.maxPendingBytes()));
        settings.put("stop-timeout", limits.stopGracePeriod().toMillis() + "ms");
        settings.put("ping-interval", "0");
        settings.putAll(extra);
        addTransport(builder, settings);
    }

    /** The JDK's WebSocket client at {@code /ws}, the token in the query parameter {@code token}. */
    @Override
    protected final TransportClient client() {
        return JdkWebSocketClient.transportClient(http, "/ws");
    }

    @BeforeEach
    void createClient() {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void closeWebSocketClients() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    // ---------------------------------------------------------------- harness

    /**
     * Starts a server with the transport under test and the kit's authenticator ({@code ?token=uid/device};
     * {@code reject}: 401, {@code forbid}: 403, {@code slow}: never answers).
     *
     * @param settings extra transport settings
     * @param hub      adjusts the hub configuration
     * @return the hub
     */
    protected Hub start(Map<String, String> settings, UnaryOperator<HubConfig.Builder> hub) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("host", "127.0.0.1");
        all.put("port", "0");
        all.putAll(settings);
        return start(hub, builder -> addTransport(builder, all));
    }

    /** Starts a server with default hub settings. */
    protected Hub start(Map<String, String> settings) {
        return start(settings, b -> b);
    }

    private int port() {
        return ((InetSocketAddress) address()).getPort();
    }

    private URI uri(String query) {
        return URI.create("ws://127.0.0.1:" + port() + "/ws" + query);
    }

    private JdkWebSocketClient ws(String query) {
        return ws(uri(query), Map.of());
    }

    private JdkWebSocketClient ws(URI uri, Map<String, String> headers) {
        JdkWebSocketClient c = JdkWebSocketClient.connect(http, uri, headers);
        clients.add(c::abort);
        return c;
    }

    private JdkWebSocketClient ws(URI uri, HttpClient client) {
        JdkWebSocketClient c = JdkWebSocketClient.connect(client, uri, Map.of());
        clients.add(c::abort);
        return c;
    }

    private RawWebSocket raw(String target, Map<String, String> headers) throws IOException {
        return raw(target, headers, 0);
    }

    private RawWebSocket raw(String target, Map<String, String> headers, int receiveBuffer) throws IOException {
        RawWebSocket r = RawWebSocket.open((InetSocketAddress) address(), target, headers, receiveBuffer);
        clients.add(r);
        return r;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitClosed(JdkWebSocketClient c) {
        await().atMost(WAIT).until(c.closed::isDone);
    }

    private static synchronized TestCertificates certificates() throws Exception {
        // One certificate per test class: each class gets (and deletes) its own static @TempDir.
        if (certificates == null || !certificates.keyStore.startsWith(certificateDir)) {
            certificates = TestCertificates.create(certificateDir);
        }
        return certificates;
    }

    // ---------------------------------------------------------------- authentication

    @Test
    @DisplayName("an accepted upgrade carries URI, query, headers, cookies and remote address to the authenticator")
    void authenticatedUpgradeExchangesMessages() throws Exception {
        Hub hub = start(Map.of());
        JdkWebSocketClient c = ws(uri("?token=alice/phone&x=a%20b"),
                Map.of("X-Token", "t1", "Cookie", "session=abc; theme=\"dark\""));
        await().atMost(WAIT).until(() -> hub.isOnline("alice"));

        AuthRequest auth = lastAuth.get();
        assertThat(auth.uri()).hasValueSatisfying(u -> assertThat(u.getPath()).isEqualTo("/ws"));
        assertThat(auth.queryParameter("x")).hasValue("a b");
        assertThat(auth.header("x-token")).hasValue("t1");
        assertThat(auth.cookies()).containsEntry("session", "abc").containsEntry("theme", "dark");
        assertThat(auth.remoteAddress()).isInstanceOfSatisfying(InetSocketAddress.class,
                a -> assertThat(a.getAddress().isLoopbackAddress()).isTrue());
        assertThat(auth.transport()).isEqualTo(server().listeners().get(0).transport());

        c.socket.sendText("hello", true).join();
        Received r = nextReceived();
        assertThat(r.device).isEqualTo(Device.of("alice", "phone"));
        assertThat(r.string()).isEqualTo("hello");

        hub.send("alice", utf8("hi alice"), Duration.ZERO).toCompletableFuture().get(20, TimeUnit.SECONDS);
        JdkWebSocketClient.Message m = c.next(WAIT);
        assertThat(m).isNotNull();
        assertThat(m.text).isTrue();
        assertThat(m.string()).isEqualTo("hi alice");
    }

    @Test
    @DisplayName("a rejected upgrade is answered 401 or 403 and never upgraded")
    void rejectedUpgradeIsNeverUpgraded() throws Exception {
        Hub hub = start(Map.of());
        try (RawWebSocket r = raw("/ws?token=reject", Map.of())) {
            assertThat(r.status).isEqualTo(401);
            assertThat(r.headers.get("upgrade")).isNull();
        }
        try (RawWebSocket r = raw("/ws?token=forbid", Map.of())) {
            assertThat(r.status).isEqualTo(403);
        }
        assertThatThrownBy(() -> ws("?token=reject"))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                        .isEqualTo(401));
        assertThat(authCalls.get()).isEqualTo(3);
        assertThat(hub.online()).isEmpty();
        assertThat(hub.metrics().onlineConnections()).isZero();
    }

    @Test
    @DisplayName("an authenticator slower than the auth timeout gets 503, not an upgrade")
    void slowAuthenticatorGets503() throws Exception {
        start(Map.of(), b -> b.authTimeout(Duration.ofMillis(300)));
        try (RawWebSocket r = raw("/ws?token=slow", Map.of())) {
            assertThat(r.status).isEqualTo(503);
        }
    }

    @Test
    @DisplayName("an upgrade request trickling in is cut at the auth timeout, however slowly it comes (slowloris)")
    void trickledUpgradeRequestIsClosedAtTheAuthTimeout() throws Exception {
        start(Map.of(), b -> b.authTimeout(Duration.ofMillis(500)));
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(address(), 10_000);
            socket.setSoTimeout(100);
            java.io.OutputStream out = socket.getOutputStream();
            java.io.InputStream in = socket.getInputStream();
            out.write(("GET /ws?token=trickle HTTP/1.1\r\nHost: 127.0.0.1:" + port() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // One header line every ~100 ms, each far inside any idle timeout, for up to 20 s: only
            // a deadline on the whole request (0.5 s here) ends it.
            boolean closed = false;
            for (int i = 0; i < 200 && !closed; i++) {
                try {
                    out.write(("X-Trickle-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    closed = in.read() < 0; // a status line (408, 400) may come first; the end is what counts
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // nothing from the server yet: trickle on
                } catch (IOException reset) {
                    closed = true;
                }
            }
            assertThat(closed).as("the server closed a connection whose upgrade request was still trickling in").isTrue();
        }
    }

    @Test
    @DisplayName("requests that are not upgrades at the path are not upgraded")
    void nonUpgradeRequests() throws Exception {
        start(Map.of());
        try (RawWebSocket r = raw("/ws?token=alice", Map.of("Upgrade", ""))) {
            assertThat(r.status).isIn(400, 404);
        }
        try (RawWebSocket r = raw("/elsewhere?token=alice", Map.of())) {
            assertThat(r.status).isEqualTo(404);
        }
        assertThat(authCalls.get()).isZero();
    }

    // ---------------------------------------------------------------- messages

    @Test
    @DisplayName("text mode (default) sends text frames; payloads that are not UTF-8 go as binary frames")
    void textMode() throws Exception {
        Hub hub = start(Map.of());
        JdkWebSocketClient c = ws("?token=t");
        await().atMost(WAIT).until(() -> hub.isOnline("t"));
        hub.send("t", utf8("grüße"), Duration.ZERO).toCompletableFuture().get(20, TimeUnit.SECONDS);
        byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28, 0, (byte) 0xFF};
        hub.send("t", notUtf8, Duration.ZERO).toCompletableFuture().get(20, TimeUnit.SECONDS);
        JdkWebSocketClient.Message m1 = c.next(WAIT);
        JdkWebSocketClient.Message m2 = c.next(WAIT);
        assertThat(m1.text).isTrue();
        assertThat(m1.string()).isEqualTo("grüße");
        assertThat(m2.text).isFalse();
        assertThat(m2.payload).isEqualTo(notUtf8);
    }

    @Test
    @DisplayName("binary mode sends binary frames")
    void binaryMode() throws Exception {
        Hub hub = start(Map.of("message-type", "binary"));
        JdkWebSocketClient c = ws("?token=b");
        await().atMost(WAIT).until(() -> hub.isOnline("b"));
        hub.send("b", utf8("plain text"), Duration.ZERO).toCompletableFuture().get(20, TimeUnit.SECONDS);
        JdkWebSocketClient.Message m = c.next(WAIT);
        assertThat(m.text).isFalse();
        assertThat(m.string()).isEqualTo("plain text");
    }

    @Test
    @DisplayName("text and binary input both reach the actor as the exact bytes, one message per payload")
    void textAndBinaryInput() throws Exception {
        Hub hub = start(Map.of());
        JdkWebSocketClient c = ws("?token=in");
        await().atMost(WAIT).until(() -> hub.isOnline("in"));
        byte[] bin = {0, 1, 2, (byte) 0xFF, (byte) 0x80};
        c.socket.sendText("héllo", true).join();
        c.socket.sendBinary(ByteBuffer.wrap(bin), true).join();
        c.socket.sendBinary(ByteBuffer.allocate(0), true).join();
        assertThat(nextReceived().payload).isEqualTo(utf8("héllo"));
        assertThat(nextReceived().payload).isEqualTo(bin);
        assertThat(nextReceived().payload).isEmpty();
    }

    @Test
    @DisplayName("fragmented messages are joined into one payload, control frames may come in between")
    void fragmentedInput() throws Exception {
        Hub hub = start(Map.of());
        JdkWebSocketClient c = ws("?token=frag");
        await().atMost(WAIT).until(() -> hub.isOnline("frag"));
        c.socket.sendText("frag", false).join();
        c.socket.sendText("men", false).join();
        c.socket.sendText("ted", true).join();
        c.socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2}), false).join();
        c.socket.sendBinary(ByteBuffer.wrap(new byte[] {3}), true).join();
        assertThat(nextReceived().string()).isEqualTo("fragmented");
        assertThat(nextReceived().payload).containsExactly(1, 2, 3);

        try (RawWebSocket r = raw("/ws?token=raw/r", Map.of())) {
            assertThat(r.status).isEqualTo(101);
            r.send(false, RawWebSocket.TEXT, utf8("one "));
            r.send(true, RawWebSocket.PING, utf8("p"));
            r.send(false, RawWebSocket.CONTINUATION, utf8("two "));
            r.send(true, RawWebSocket.CONTINUATION, utf8("three"));
            RawWebSocket.Frame pong = r.read();
            assertThat(pong.opcode).isEqualTo(RawWebSocket.PONG);
            assertThat(pong.payload).isEqualTo(utf8("p"));
            Received got = nextReceived();
            assertThat(got.device.uid()).isEqualTo("raw");
            assertThat(got.string()).isEqualTo("one two three");
        }
        assertThat(received).isEmpty();
    }

    @Test
    @DisplayName("a message larger than max-message-size closes the connection with 1009, also when fragmented")
    void oversizeMessage() throws Exception {
        Hub hub = start(Map.of("max-message-size", "1KiB"));
        JdkWebSocketClient ok = ws("?token=ok");
        await().atMost(WAIT).until(() -> hub.isOnline("ok"));
        ok.socket.sendBinary(ByteBuffer.wrap(new byte[1024]), true).join();
        assertThat(nextReceived().payload).hasSize(1024);

        JdkWebSocketClient big = ws("?token=big");
        await().atMost(WAIT).until(() -> hub.isOnline("big"));
        big.socket.sendText("x".repeat(2048), true);
        assertThat(big.closed.get(20, TimeUnit.SECONDS)).isEqualTo(1009);

        JdkWebSocketClient frag = ws("?token=frag");
        await().atMost(WAIT).until(() -> hub.isOnline("frag"));
        frag.socket.sendBinary(ByteBuffer.wrap(new byte[600]), false).join();
        frag.socket.sendBinary(ByteBuffer.wrap(new byte[600]), true);
        assertThat(frag.closed.get(20, TimeUnit.SECONDS)).isEqualTo(1009);

        await().atMost(WAIT).until(() -> !hub.isOnline("big") && !hub.isOnline("frag"));
        assertThat(received).isEmpty();
        assertThat(ok.isOpen()).isTrue();
    }

    // ---------------------------------------------------------------- origin

    @Test
    @DisplayName("Origin: absent, same-origin or allowed is accepted; anything else is 403 before authentication")
    void originRules() throws Exception {
        start(Map.of("allowed-origins", "https://App.Example.com, http://localhost:3000"));
        try (RawWebSocket r = raw("/ws?token=native", Map.of())) {
            assertThat(r.status).isEqualTo(101);
        }
        try (RawWebSocket r = raw("/ws?token=listed", Map.of("Origin", "https://app.example.com"))) {
            assertThat(r.status).isEqualTo(101);
        }
        try (RawWebSocket r = raw("/ws?token=listed2", Map.of("Origin", "http://localhost:3000"))) {
            assertThat(r.status).isEqualTo(101);
        }
        try (RawWebSocket r = raw("/ws?token=same", Map.of("Origin", "http://127.0.0.1:" + port()))) {
            assertThat(r.status).isEqualTo(101);
        }
        int before = authCalls.get();
        for (String evil : List.of("https://evil.example.com", "http://app.example.com", "https://app.example.com:8443",
                "null", "http://127.0.0.1:" + (port() == 65535 ? 1 : port() + 1))) {
            try (RawWebSocket r = raw("/ws?token=evil", Map.of("Origin", evil))) {
                assertThat(r.status).as("Origin %s", evil).isEqualTo(403);
            }
        }
        assertThat(authCalls.get()).isEqualTo(before);
    }

    @Test
    @DisplayName("allowed-origins * accepts any Origin")
    void originWildcard() throws Exception {
        start(Map.of("allowed-origins", "*"));
        try (RawWebSocket r = raw("/ws?token=any", Map.of("Origin", "https://anything.example"))) {
            assertThat(r.status).isEqualTo(101);
        }
    }

    // ---------------------------------------------------------------- liveness

    @Test
    @DisplayName("a connection silent for the hub's read timeout is closed with 4004 'read timeout' and goes offline")
    void idleTimeout() throws Exception {
        Hub hub = start(Map.of("ping-interval", "0"), b -> b.readTimeout(Duration.ofMillis(600)));
        JdkWebSocketClient c = ws("?token=idle");
        await().atMost(WAIT).until(() -> hub.isOnline("idle"));
        assertThat(c.closed.get(20, TimeUnit.SECONDS)).isEqualTo(CloseReason.READ_TIMEOUT.code());
        assertThat(c.closeText).isEqualTo(CloseReason.READ_TIMEOUT.text());
        await().atMost(WAIT).until(() -> !hub.isOnline("idle"));
        eventually().until(() -> closeReason("idle/default").isPresent());
        assertThat(closeReason("idle/default")).contains(CloseReason.READ_TIMEOUT);
    }

    @Test
    @DisplayName("with the read timeout and pings off, a silent connection stays open past the auth timeout")
    void noIdleTimeout() {
        Hub hub = start(Map.of("ping-interval", "0"), b -> b.authTimeout(Duration.ofMillis(300)));
        JdkWebSocketClient c = ws("?token=quiet");
        await().atMost(WAIT).until(() -> hub.isOnline("quiet"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10)).until(() -> c.isOpen() && hub.isOnline("quiet"));
        assertThat(c.pings.get()).isZero();
    }

    @Test
    @DisplayName("WebSocket pings answered by the client keep an otherwise silent connection open past the hub's read timeout")
    void pingsKeepAlive() {
        Hub hub = start(Map.of("ping-interval", "150ms"), b -> b.readTimeout(Duration.ofMillis(800)));
        JdkWebSocketClient c = ws("?token=alive");
        await().atMost(WAIT).until(() -> hub.isOnline("alive"));
        await().during(Duration.ofMillis(2400)).atMost(Duration.ofSeconds(10)).until(() -> c.isOpen() && hub.isOnline("alive"));
        assertThat(c.pings.get()).isPositive();
    }

    @Test
    @DisplayName("single sign-on over WebSocket: the bye payload is a message, then the close has SSO_REPLACED's status 4001 'replaced'")
    void ssoByeAndCloseStatus() throws Exception {
        Hub hub = start(Map.of());
        JdkWebSocketClient first = ws("?token=bob/d1");
        eventually().until(() -> hub.isOnline("bob"));
        JdkWebSocketClient second = ws("?token=bob/d2");
        JdkWebSocketClient.Message bye = first.next(WAIT);
        assertThat(bye).isNotNull();
        assertThat(bye.text).isTrue();
        assertThat(bye.string()).isEqualTo("bye:sso:d2");
        assertThat(first.closed.get(20, TimeUnit.SECONDS)).isEqualTo(CloseReason.SSO_REPLACED.code());
        assertThat(first.closeText).isEqualTo(CloseReason.SSO_REPLACED.text());
        assertThat(first.next(Duration.ZERO)).isNull();
        eventually().until(() -> closeReason("bob/d1").isPresent());
        assertThat(closeReason("bob/d1")).contains(CloseReason.SSO_REPLACED);
        assertThat(second.isOpen()).isTrue();
    }

    @Test
    @DisplayName("with sso off, a connection beyond maxConnectionsPerUser is closed with CONNECTION_LIMIT's status 1013; the others stay")
    void connectionLimitCloseStatus() throws Exception {
        Hub hub = start(Map.of(), b -> b.sso(false).maxConnectionsPerUser(1));
        JdkWebSocketClient first = ws("?token=carol/d1");
        eventually().until(() -> hub.isOnline("carol"));
        JdkWebSocketClient second = ws("?token=carol/d2");
        assertThat(second.closed.get(20, TimeUnit.SECONDS)).isEqualTo(CloseReason.CONNECTION_LIMIT.code());
        assertThat(second.closeText).isEqualTo(CloseReason.CONNECTION_LIMIT.text());
        assertThat(first.isOpen()).isTrue();
        assertThat(hub.metrics().onlineConnections()).isEqualTo(1);
    }

    @Test
    @DisplayName("edge: an upgrade beyond max-connections-per-ip, max-connections, or from a banned address is answered 503 "
            + "before authentication and never upgraded")
    void edgeRefusalsAre503BeforeAuthentication() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(EdgeLimits.none().withMaxConnectionsPerIp(1)
                .withAuthFailureBan(2, Duration.ofSeconds(30), Duration.ofMinutes(5)).settings());
        Hub hub = start(settings);
        JdkWebSocketClient first = ws("?token=first");
        await().atMost(WAIT).until(() -> hub.isOnline("first"));
        try (RawWebSocket r = raw("/ws?token=second", Map.of())) {
            assertThat(r.status).isEqualTo(503);
            assertThat(r.headers.get("upgrade")).isNull();
        }
        assertThat(authCalls.get()).isEqualTo(1);
        first.abort();
        await().atMost(WAIT).until(() -> !hub.isOnline("first"));
        for (int i = 0; i < 2; i++) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                try (RawWebSocket r = raw("/ws?token=reject", Map.of())) {
                    return r.status == 401; // 503 while the closed connection still counts
                }
            });
        }
        int calls = authCalls.get();
        try (RawWebSocket r = raw("/ws?token=banned", Map.of())) {
            assertThat(r.status).isEqualTo(503);
        }
        assertThat(authCalls.get()).as("a banned address does not reach the authenticator").isEqualTo(calls);

        Hub capped = start(Map.of("max-connections", "1"));
        ws("?token=only");
        await().atMost(WAIT).until(() -> capped.isOnline("only"));
        try (RawWebSocket r = raw("/ws?token=more", Map.of())) {
            assertThat(r.status).isEqualTo(503);
        }
        assertThat(capped.isOnline("more")).isFalse();
        assertThat(observedCloses).as("refused upgrades are no closed connections of the hub")
                .doesNotContain(CloseReason.CONNECTION_LIMIT, CloseReason.BANNED);
    }

    // ---------------------------------------------------------------- extensions, TLS

    @Test
    @DisplayName("permessage-deflate is off by default and negotiated when enabled; compressed messages arrive intact")
    void permessageDeflate() throws Exception {
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        start(Map.of());
        try (RawWebSocket r = raw("/ws?token=plain", offer)) {
            assertThat(r.status).isEqualTo(101);
            assertThat(Optional.ofNullable(r.headers.get("sec-websocket-extensions")).orElse("")).doesNotContain("permessage-deflate");
        }
        Hub hub = start(Map.of("permessage-deflate", "true"));
        try (RawWebSocket r = raw("/ws?token=zip", offer)) {
            assertThat(r.status).isEqualTo(101);
            assertThat(r.headers.get("sec-websocket-extensions")).contains("permessage-deflate");
            await().atMost(WAIT).until(() -> hub.isOnline("zip"));
            String text = "compress me ".repeat(50);
            hub.send("zip", utf8(text), Duration.ZERO).toCompletableFuture().get(20, TimeUnit.SECONDS);
            RawWebSocket.Frame f = r.readData(10_000);
            assertThat(f).isNotNull();
            assertThat(f.rsv1).as("compressed").isTrue();
            assertThat(f.payload.length).isLessThan(text.length());
            assertThat(inflate(f.payload)).isEqualTo(text);
        }
    }

    private static String inflate(byte[] deflated) throws Exception {
        Inflater inflater = new Inflater(true);
        byte[] input = Arrays.copyOf(deflated, deflated.length + 4);
        input[deflated.length + 2] = (byte) 0xFF;
        input[deflated.length + 3] = (byte) 0xFF;
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!inflater.needsInput() && !inflater.finished()) {
            int n = inflater.inflate(buf);
            if (n == 0) {
                break;
            }
            out.write(buf, 0, n);
        }
        inflater.end();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("TLS from a PKCS#12 key store: wss works, the authenticator sees a wss URI")
    void tlsFromKeyStore() throws Exception {
        TestCertificates certs = certificates();
        tlsRoundTrip(Map.of("tls-keystore", certs.keyStore.toString(), "tls-keystore-password", TestCertificates.PASSWORD));
    }

    @Test
    @DisplayName("TLS from PEM certificate and PKCS#8 key files")
    void tlsFromPem() throws Exception {
        TestCertificates certs = certificates();
        tlsRoundTrip(Map.of("tls-cert", certs.certPem.toString(), "tls-key", certs.keyPem.toString()));
    }

    private void tlsRoundTrip(Map<String, String> tls) throws Exception {
        Hub hub = start(tls);
        URI wss = URI.create("wss://localhost:" + port() + "/ws?token=tls");
        assertThatThrownBy(() -> JdkWebSocketClient.connect(http, wss, Map.of()))
                .as("a client that does not trust the certificate fails")
                .isInstanceOf(CompletionException.class);
        HttpClient secure = HttpClient.newBuilder().sslContext(certificates().clientContext)
                .connectTimeout(Duration.ofSeconds(10)).build();
        JdkWebSocketClient client = JdkWebSocketClient.connect(secure, wss, Map.of());
        clients.add(client::abort);
        await().atMost(WAIT).until(() -> hub.isOnline("tls"));
        assertThat(lastAuth.get().uri()).hasValueSatisfying(u -> assertThat(u.getScheme()).isEqualTo("wss"));
        client.socket.sendText("secret", true).join();
        assertThat(nextReceived().string()).isEqualTo("secret");
        hub.send("tls", utf8("secret back"), Duration.ZERO).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertThat(client.next(WAIT).string()).isEqualTo("secret back");
    }

    @Test
    @DisplayName("tls-client-auth=require: a trusted client is upgraded and authenticated by its certificate; one without is not")
    void clientCertificateRequired() throws Exception {
        Hub hub = start(clientAuth("require"));
        JdkWebSocketClient client = wss(certificates().clientCertificateContext, "?token=cert");
        await().atMost(WAIT).until(() -> hub.isOnline("cert"));
        assertThat(lastAuth.get().peerCertificates()).extracting(
                (X509Certificate c) -> c.getSubjectX500Principal().getName())
                .containsExactly(TestCertificates.CLIENT_SUBJECT);
        assertThat(client.isOpen()).isTrue();
        // TLS 1.3: the refusal of the missing certificate may only show on the first read
        assertThatThrownBy(() -> wss(certificates().clientContext, "?token=anonymous"))
                .isInstanceOf(CompletionException.class);
        assertThat(authCalls.get()).isEqualTo(1);
        assertThat(hub.isOnline("anonymous")).isFalse();
    }

    @Test
    @DisplayName("tls-client-auth=optional: a client without a certificate is upgraded, with no peer certificates")
    void clientCertificateOptional() throws Exception {
        Hub hub = start(clientAuth("optional"));
        wss(certificates().clientContext, "?token=anonymous");
        await().atMost(WAIT).until(() -> hub.isOnline("anonymous"));
        assertThat(authCalls.get()).isEqualTo(1);
        assertThat(lastAuth.get().peerCertificates()).isEmpty();
    }

    private static Map<String, String> clientAuth(String mode) throws Exception {
        TestCertificates certs = certificates();
        return Map.of("tls-keystore", certs.keyStore.toString(), "tls-keystore-password", TestCertificates.PASSWORD,
                "tls-client-auth", mode, "tls-truststore", certs.clientKeyStore.toString(),
                "tls-truststore-password", TestCertificates.PASSWORD);
    }

    /** Connects over wss with the given client TLS context; fails with a CompletionException if refused. */
    private JdkWebSocketClient wss(SSLContext tls, String query) {
        HttpClient secure = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        return ws(URI.create("wss://localhost:" + port() + "/ws" + query), secure);
    }

    // ---------------------------------------------------------------- scale, stop, settings

    @Test
    @DisplayName("stop sends the shutdown bye, closes every connection with 1001, finishes with a client that ignores the close, and releases the port")
    void gracefulStopWith1001() throws Exception {
        Hub hub = start(Map.of("stop-timeout", "1s"));
        JdkWebSocketClient a = ws("?token=a");
        JdkWebSocketClient b = ws("?token=b");
        RawWebSocket deaf = raw("/ws?token=deaf", Map.of(), 4096);
        assertThat(deaf.status).isEqualTo(101);
        await().atMost(WAIT).until(() -> hub.online().size() == 3);
        int port = port();
        server().close();
        assertThat(a.closed.get(20, TimeUnit.SECONDS)).isEqualTo(1001);
        assertThat(b.closed.get(20, TimeUnit.SECONDS)).isEqualTo(1001);
        RawWebSocket.Frame bye = deaf.readData(5000); // the hub's shutdown bye comes before the close
        assertThat(bye).isNotNull();
        assertThat(bye.opcode).isNotEqualTo(RawWebSocket.CLOSE);
        assertThat(new String(bye.payload, java.nio.charset.StandardCharsets.UTF_8)).startsWith("bye:shutdown:");
        RawWebSocket.Frame close = deaf.readData(5000);
        assertThat(close).isNotNull();
        assertThat(close.opcode).isEqualTo(RawWebSocket.CLOSE);
        assertThat(close.closeStatus()).isEqualTo(1001);
        if (releasesPortOnStop()) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", port));
            }
        }
    }

    @Test
    @DisplayName("malformed settings are refused when the server is built, naming the setting")
    void strictSettings() {
        for (Map.Entry<String, String> bad : List.of(Map.entry("max-message-size", "lots"), Map.entry("message-type", "xml"),
                Map.entry("allowed-origins", "not an origin"), Map.entry("idle-timeout", "soon"),
                Map.entry("permessage-deflate", "maybe"), Map.entry("high-water-mark", "0"), Map.entry("path", "ws"),
                Map.entry("max-pending-bytes", "1KiB"), Map.entry("max-connections-per-ip", "-1"),
                Map.entry("rate-limit-frames-burst", "0"), Map.entry("rate-limit-bytes-burst", "1KiB"),
                Map.entry("auth-failure-window", "0s"))) {
            assertThatThrownBy(() -> start(Map.of(bad.getKey(), bad.getValue())))
                    .as(bad.toString())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(bad.getKey());
        }
        assertThatThrownBy(() -> start(Map.of("no-such-setting", "1")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no-such-setting");
    }
}
