package dev.tok.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Auth timeout (from connect to registration) and read timeout (after registration). */
class TimeoutTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("observed");

    @Test
    @DisplayName("a client that connects and sends nothing is closed at auth-timeout")
    void silentClientClosedAtAuthTimeout() throws Exception {
        RecordingContext ctx = RecordingContext.withTimeouts(Duration.ofMillis(400), Duration.ofMinutes(1));
        try (TransportFixture f = TransportFixture.start(ctx, Map.of()); FrameClient c = FrameClient.connect(f.address)) {
            Duration took = c.awaitClosedByServer(Duration.ofSeconds(10));
            LOG.info("silent client, auth-timeout 400ms: closed after {} ms", took.toMillis());
            // the server's timer starts at accept, which may precede our connect() returning: allow half
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(ctx.authRequests).isEmpty();
        }
    }

    @Test
    @DisplayName("the transport's auth-timeout overrides the hub's; half an auth frame does not count")
    void transportOverrideAndPartialAuthFrame() throws Exception {
        RecordingContext ctx = RecordingContext.withTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(1));
        try (TransportFixture f = TransportFixture.start(ctx, Map.of("auth-timeout", "300ms"));
                FrameClient c = FrameClient.connect(f.address)) {
            c.sendRaw(new byte[] {0, 0, 0, 10, 'u', 'i'});
            Duration took = c.awaitClosedByServer(Duration.ofSeconds(10));
            LOG.info("half an auth frame, auth-timeout 300ms (hub 5m): closed after {} ms", took.toMillis());
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            assertThat(ctx.authRequests).isEmpty();
        }
    }

    @Test
    @DisplayName("an authenticator that never answers: closed at auth-timeout, never registered")
    void hangingAuthenticatorClosedAtAuthTimeout() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("auth-timeout", "300ms"));
                FrameClient c = FrameClient.connect(f.address)) {
            c.send("hang");
            c.awaitClosedByServer(Duration.ofSeconds(10));
            assertThat(f.context.authRequests).hasSize(1);
            assertThat(f.context.registrations).hasValue(0);
        }
    }

    @Test
    @DisplayName("an authenticated client that goes silent is closed at the hub's read timeout; onClosed runs once")
    void silentAfterAuthClosedAtReadTimeout() throws Exception {
        RecordingContext ctx = RecordingContext.withReadTimeout(Duration.ofMillis(500));
        long beforeLogin = System.nanoTime();
        try (TransportFixture f = TransportFixture.start(ctx, Map.of()); FrameClient c = FrameClient.login(f.address, "quiet")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.connection("quiet") != null);
            c.awaitClosedByServer(Duration.ofSeconds(10));
            // the timer starts at registration, after the auth frame was sent: never earlier than this
            Duration took = Duration.ofNanos(System.nanoTime() - beforeLogin);
            LOG.info("silent after auth, read-timeout 500ms: closed {} ms after connecting", took.toMillis());
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500));
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.connection("quiet").closed());
            assertThat(ctx.connection("quiet").reason).isEqualTo(dev.tok.api.CloseReason.READ_TIMEOUT);
            assertThat(ctx.connection("quiet").closes).hasValue(1);
        }
    }

    @Test
    @DisplayName("a client that keeps sending stays open well past the read timeout")
    void activeClientStaysOpen() throws Exception {
        RecordingContext ctx = RecordingContext.withReadTimeout(Duration.ofMillis(600));
        try (TransportFixture f = TransportFixture.start(ctx, Map.of()); FrameClient c = FrameClient.login(f.address, "chatty")) {
            // a frame every 150 ms for 1.8 s: three read timeouts long, each gap a quarter of one
            for (int i = 0; i < 12; i++) {
                c.send("beat " + i);
                assertThat(c.staysOpenFor(Duration.ofMillis(150))).as("open after beat %d", i).isTrue();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.connection("chatty").framesReceived.get() == 12);
            assertThat(ctx.connection("chatty").closed()).isFalse();
        }
    }

    @Test
    @DisplayName("while the hub pauses reading, the read timeout does not close the connection")
    void pausedConnectionIsNotTimedOut() throws Exception {
        RecordingContext ctx = RecordingContext.withReadTimeout(Duration.ofMillis(200));
        ctx.pauseOnRegister = true; // paused before the read timer exists: no race with it
        try (TransportFixture f = TransportFixture.start(ctx, Map.of()); FrameClient c = FrameClient.login(f.address, "paused")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.connection("paused") != null);
            RecordingContext.RecordingConnection p = ctx.connection("paused");
            assertThat(c.staysOpenFor(Duration.ofMillis(1000))).isTrue();
            assertThat(p.closed()).isFalse();
            p.adapter.resumeReading();
            c.awaitClosedByServer(Duration.ofSeconds(10));
        }
    }
}
