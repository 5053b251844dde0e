package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The handshake deadline on tcp: the whole auth frame must arrive within {@code auth-timeout} of
 * accept, however slowly it trickles (the slowloris the WebSocket kit proves for the upgrade request).
 */
class TrickledAuthFrameTest {

    @Test
    @DisplayName("an auth frame trickled one byte every 100 ms is closed at the auth timeout (500 ms), never registered")
    void trickledAuthFrameIsClosedAtTheAuthTimeout() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("auth-timeout", "500ms"))) {
            byte[] frame = FrameClient.frame(("uid:" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8));
            try (FrameClient slow = FrameClient.connect(f.address)) {
                boolean closed = false;
                for (int i = 0; i < frame.length && !closed; i++) { // 108 bytes: ~11 s if the server let it
                    try {
                        slow.sendRaw(new byte[] {frame[i]});
                    } catch (java.net.SocketException reset) {
                        closed = true;
                        break;
                    }
                    closed = !slow.staysOpenFor(Duration.ofMillis(100)); // the trickle's pace, watching for the close
                }
                assertThat(closed).as("closed before the frame was complete (it would take ~11 s)").isTrue();
            }
            assertThat(f.context.registrations).hasValue(0);
        }
    }
}
