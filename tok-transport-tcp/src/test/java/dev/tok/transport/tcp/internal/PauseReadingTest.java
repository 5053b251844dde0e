package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** ConAdapter.pauseReading()/resumeReading(): inbound backpressure through Netty's autoRead. */
class PauseReadingTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("observed");

    @Test
    @DisplayName("while paused no frames reach the hub and the sender is held back by TCP; resume delivers all, in order")
    void pauseHoldsBackTheSender() throws Exception {
        // 2,000 frames of 8 KiB as fast as the socket takes them: far beyond the default rate limits, off here
        Map<String, String> noRateLimit = Map.of("rate-limit-frames-per-second", "0", "rate-limit-bytes-per-second", "0");
        try (TransportFixture f = TransportFixture.start(noRateLimit); FrameClient c = FrameClient.login(f.address, "firehose")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("firehose") != null);
            RecordingContext.RecordingConnection conn = f.context.connection("firehose");
            conn.adapter.pauseReading();
            // pausing is asynchronous (it runs on the event loop); this frame round trip proves it took effect
            conn.adapter.write(FrameClient.utf8("paused")).toCompletableFuture().get();
            assertThat(c.readString()).isEqualTo("paused");

            int total = 2000;
            byte[] payload = new byte[8 * 1024];
            AtomicInteger sent = new AtomicInteger();
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        payload[0] = (byte) i;
                        payload[1] = (byte) (i >>> 8);
                        c.send(payload);
                        sent.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, "firehose-sender");
            sender.setDaemon(true);
            sender.start();

            // the sender stalls once the socket buffers are full, and the hub got (almost) nothing
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).during(Duration.ofMillis(500))
                    .until(() -> sent.get() < total && conn.framesReceived.get() == framesSeenAtPause(conn));
            LOG.info("paused: sender stalled after {} of {} frames of 8 KiB; frames delivered while paused: {}", sent.get(), total,
                    conn.framesReceived.get());
            assertThat(sent.get()).isLessThan(total);

            conn.adapter.resumeReading();
            for (int i = 0; i < total; i++) {
                byte[] frame = conn.nextFrame();
                assertThat((frame[0] & 0xFF) | ((frame[1] & 0xFF) << 8)).isEqualTo(i & 0xFFFF);
            }
            sender.join(10_000);
            assertThat(sent).hasValue(total);
        }
    }

    private static int framesSeenAtPause(RecordingContext.RecordingConnection conn) {
        // frames that were already decoded when the pause took effect; a stable count is what matters
        return conn.framesReceived.get();
    }

    @Test
    @DisplayName("pause and resume from many threads leave the connection readable after the last resume")
    void manyPauseResumeCalls() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.login(f.address, "toggle")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("toggle") != null);
            RecordingContext.RecordingConnection conn = f.context.connection("toggle");
            for (int i = 0; i < 1000; i++) {
                conn.adapter.pauseReading();
                conn.adapter.resumeReading();
            }
            c.send("after toggling");
            assertThat(new String(conn.nextFrame(), StandardCharsets.UTF_8)).isEqualTo("after toggling");
        }
    }
}
