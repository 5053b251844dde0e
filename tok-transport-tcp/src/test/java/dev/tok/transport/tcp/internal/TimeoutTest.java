package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Auth timeout (from connect to registration); the read timeout after registration is the hub's. */
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
    @DisplayName("the read timeout is the hub's: a silent registered client is not timed out by the transport; "
            + "the hub's close(READ_TIMEOUT) closes it and onClosed runs once with that reason")
    void readTimeoutIsTheHubs() throws Exception {
        // the configured read timeout is left to the hub; this context (no hub) never closes
        RecordingContext ctx = RecordingContext.withReadTimeout(Duration.ofMillis(200));
        try (TransportFixture f = TransportFixture.start(ctx, Map.of()); FrameClient c = FrameClient.login(f.address, "quiet")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.connection("quiet") != null);
            RecordingContext.RecordingConnection quiet = ctx.connection("quiet");
            assertThat(c.staysOpenFor(Duration.ofMillis(1000))).as("open for five read timeouts").isTrue();
            assertThat(quiet.closed()).isFalse();
            quiet.adapter.close(dev.tok.api.CloseReason.READ_TIMEOUT);
            c.awaitClosedByServer(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(quiet::closed);
            assertThat(quiet.reason).isEqualTo(dev.tok.api.CloseReason.READ_TIMEOUT);
            assertThat(quiet.closes).hasValue(1);
        }
    }

    @Test
    @DisplayName("every frame read reaches the hub, which counts it as activity")
    void framesReachTheHub() throws Exception {
        RecordingContext ctx = RecordingContext.withReadTimeout(Duration.ofMillis(600));
        try (TransportFixture f = TransportFixture.start(ctx, Map.of()); FrameClient c = FrameClient.login(f.address, "chatty")) {
            for (int i = 0; i < 12; i++) {
                c.send("beat " + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.connection("chatty") != null
                    && ctx.connection("chatty").framesReceived.get() == 12);
            assertThat(ctx.connection("chatty").closed()).isFalse();
        }
    }
}
