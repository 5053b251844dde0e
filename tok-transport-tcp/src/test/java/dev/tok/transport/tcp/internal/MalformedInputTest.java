package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Truncated frames, garbage and foreign protocols: the connection closes, nothing half-read reaches the hub. */
class MalformedInputTest {

    @Test
    @DisplayName("a truncated auth frame followed by EOF: closed, the authenticator never runs")
    void truncatedAuthFrameThenEof() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.connect(f.address)) {
            c.sendRaw(new byte[] {0, 0, 0, 100});
            c.sendRaw(new byte[50]);
            c.socket.shutdownOutput();
            c.awaitClosedByServer(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> f.transport.openConnections() == 0);
            assertThat(f.context.authRequests).isEmpty();
            MaxFrameLengthTest.assertServesOthers(f, "next");
        }
    }

    @Test
    @DisplayName("a truncated frame after auth followed by EOF: closed, the partial frame is dropped, onClosed runs once")
    void truncatedFrameAfterAuthThenEof() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.login(f.address, "trunc")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("trunc") != null);
            c.send("whole");
            c.sendRaw(new byte[] {0, 0, 0, 100});
            c.sendRaw(new byte[50]);
            c.socket.shutdownOutput();
            c.awaitClosedByServer(Duration.ofSeconds(10));
            RecordingContext.RecordingConnection t = f.context.connection("trunc");
            await().atMost(Duration.ofSeconds(10)).until(t::closed);
            assertThat(t.frames).hasSize(1);
            assertThat(new String(t.frames.peek(), StandardCharsets.UTF_8)).isEqualTo("whole");
            assertThat(t.closes).hasValue(1);
        }
    }

    @Test
    @DisplayName("random garbage: closed; the server keeps serving others")
    void randomGarbage() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of())) {
            Random random = new Random(42);
            for (int i = 0; i < 20; i++) {
                byte[] garbage = new byte[1 + random.nextInt(64 * 1024)];
                random.nextBytes(garbage);
                try (FrameClient c = FrameClient.connect(f.address)) {
                    c.sendRaw(garbage);
                    c.awaitClosedByServer(Duration.ofSeconds(10));
                } catch (java.net.SocketException resetWhileSending) {
                    // the server closed while we were still writing: closed as well
                }
            }
            assertThat(f.context.registrations).hasValue(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> f.transport.openConnections() == 0);
            MaxFrameLengthTest.assertServesOthers(f, "survivor");
        }
    }

    @Test
    @DisplayName("garbage with a plausible length becomes the auth payload, is rejected, and the connection closes")
    void garbageAuthPayloadIsRejected() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.connect(f.address)) {
            byte[] junk = new byte[200];
            new Random(7).nextBytes(junk);
            c.send(junk);
            c.awaitClosedByServer(Duration.ofSeconds(10));
            assertThat(f.context.authRequests).hasSize(1);
            assertThat(f.context.authRequests.get(0).firstFrame()).hasValueSatisfying(b -> assertThat(b).isEqualTo(junk));
            assertThat(f.context.registrations).hasValue(0);
        }
    }

    @Test
    @DisplayName("an HTTP request ('GET ' reads as a 1.1 GB length) is closed without reaching the authenticator")
    void httpRequestIsRefused() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.connect(f.address)) {
            c.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.awaitClosedByServer(Duration.ofSeconds(10));
            assertThat(f.context.authRequests).isEmpty();
        }
    }

    @Test
    @DisplayName("frames pipelined right behind the auth frame reach the hub after registration, in order")
    void pipelinedFramesAfterAuthAreKept() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.connect(f.address)) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            b.write(FrameClient.frame(FrameClient.utf8("uid:eager")));
            for (int i = 0; i < 100; i++) {
                b.write(FrameClient.frame(FrameClient.utf8("m" + i)));
            }
            c.sendRaw(b.toByteArray());
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("eager") != null);
            RecordingContext.RecordingConnection e = f.context.connection("eager");
            for (int i = 0; i < 100; i++) {
                assertThat(new String(e.nextFrame(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
            }
        }
    }

    @Test
    @DisplayName("a rejected auth closes the connection; frames sent behind it never reach the hub")
    void rejectedAuthCloses() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.connect(f.address)) {
            c.send("wrong-password");
            c.send("should never be read");
            c.awaitClosedByServer(Duration.ofSeconds(10));
            assertThat(f.context.authRequests).hasSize(1);
            assertThat(f.context.registrations).hasValue(0);
        }
    }

    @Test
    @DisplayName("register refusing the connection (hub closed, too many connections) closes it")
    void registerFailureCloses() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of())) {
            f.context.registerFailure = new dev.tok.api.HubClosedException();
            try (FrameClient c = FrameClient.login(f.address, "late")) {
                c.awaitClosedByServer(Duration.ofSeconds(10));
            }
            assertThat(f.context.authRequests).hasSize(1);
            assertThat(f.context.connections).isEmpty();
        }
    }
}
