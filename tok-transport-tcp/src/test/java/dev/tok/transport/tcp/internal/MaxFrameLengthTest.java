package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A length prefix above max-frame-length closes the connection on the prefix alone. */
@DisplayName("a length prefix above max-frame-length closes the connection before any payload is buffered")
class MaxFrameLengthTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("observed");
    private static final byte[] FOUR_GIB = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    @Test
    @DisplayName("before authentication: a 4 GiB length closes on the 4 prefix bytes; the authenticator never runs")
    void hugeLengthBeforeAuth() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.connect(f.address)) {
            c.sendRaw(FOUR_GIB); // no payload follows: a decoder that waits for it would never close
            Duration took = c.awaitClosedByServer(Duration.ofSeconds(10));
            LOG.info("4 GiB length before auth: closed {} ms after the 4 prefix bytes, auth requests {}", took.toMillis(),
                    f.context.authRequests.size());
            assertThat(f.context.authRequests).isEmpty();
            assertServesOthers(f, "after-huge");
        }
    }

    @Test
    @DisplayName("after authentication: a 4 GiB length closes the connection, no frame reaches the hub, onClosed runs once")
    void hugeLengthAfterAuth() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.login(f.address, "mallory")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("mallory") != null);
            c.send("fine");
            c.sendRaw(FOUR_GIB);
            Duration took = c.awaitClosedByServer(Duration.ofSeconds(10));
            LOG.info("4 GiB length after auth: closed {} ms after the prefix", took.toMillis());
            RecordingContext.RecordingConnection m = f.context.connection("mallory");
            await().atMost(Duration.ofSeconds(10)).until(m::closed);
            assertThat(m.frames).hasSize(1);
            assertThat(new String(m.frames.peek(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("fine");
            assertThat(m.closes).hasValue(1);
            assertServesOthers(f, "after-huge-authenticated");
        }
    }

    @Test
    @DisplayName("exactly max-frame-length is accepted, one byte more is refused")
    void boundaryIsInclusive() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("max-frame-length", "1KiB"));
                FrameClient c = FrameClient.login(f.address, "edge")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("edge") != null);
            c.send(new byte[1024]);
            assertThat(f.context.connection("edge").nextFrame()).hasSize(1024);
            c.sendRaw(new byte[] {0, 0, 4, 1}); // 1025
            c.awaitClosedByServer(Duration.ofSeconds(10));
        }
    }

    @Test
    @DisplayName("a client streaming a 4 GiB frame is cut off after a few MiB of socket buffers, not after gigabytes")
    void streamingAHugeFrameIsCutOff() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.connect(f.address)) {
            OutputStream out = c.socket.getOutputStream();
            out.write(FOUR_GIB);
            byte[] chunk = new byte[64 * 1024];
            long sent = 0;
            long limit = 256L * 1024 * 1024;
            try {
                while (sent < limit) {
                    out.write(chunk);
                    sent += chunk.length;
                }
            } catch (IOException expected) {
                // broken pipe / reset: the server closed and discarded what we sent
            }
            LOG.info("streaming a 4 GiB frame: server cut the client off after {} bytes", sent);
            assertThat(sent).as("bytes the client could push before the server cut it off").isLessThan(64L * 1024 * 1024);
            assertServesOthers(f, "after-stream");
        }
    }

    static void assertServesOthers(TransportFixture f, String uid) throws Exception {
        try (FrameClient other = FrameClient.login(f.address, uid)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection(uid) != null);
            other.send("hello");
            assertThat(new String(f.context.connection(uid).nextFrame(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("hello");
            f.context.connection(uid).adapter.write(FrameClient.utf8("hi"));
            assertThat(other.readString()).isEqualTo("hi");
        }
    }
}
