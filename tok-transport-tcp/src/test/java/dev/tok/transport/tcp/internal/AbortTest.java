package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code ConAdapter.abort}: close without waiting for a peer that does not read. */
class AbortTest {

    private static final int FRAME = 16 * 1024;

    @Test
    @DisplayName("abort with the socket buffers full: every pending write fails within a second (write timeout 1m), "
            + "onClosed gets the reason once")
    void abortFailsPendingWritesAtOnce() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("high-water-mark", "64KiB", "write-timeout", "1m",
                "max-pending-bytes", "256MiB"));
                FrameClient c = FrameClient.login(f.address, "gone")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("gone") != null);
            RecordingContext.RecordingConnection gone = f.context.connection("gone");
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 2048; i++) { // 32 MiB: more than loopback socket buffers hold
                writes.add(gone.adapter.write(new byte[FRAME]).toCompletableFuture());
            }
            CompletableFuture<Void> last = writes.get(writes.size() - 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> !last.isDone());
            gone.adapter.abort(CloseReason.KICKED);
            await().atMost(Duration.ofSeconds(1)).until(() -> writes.stream().allMatch(CompletableFuture::isDone));
            assertThat(writes.stream().filter(CompletableFuture::isCompletedExceptionally).count()).isPositive();
            await().atMost(Duration.ofSeconds(1)).until(gone::closed);
            assertThat(gone.reason).isEqualTo(CloseReason.KICKED);
            assertThat(gone.adapter.write(new byte[1]).toCompletableFuture()).isCompletedExceptionally();
            c.awaitClosedByServer(Duration.ofSeconds(10));
            assertThat(gone.closes).hasValue(1);
        }
    }

    @Test
    @DisplayName("abort after a graceful close that waits for a stuck peer cuts the wait short")
    void abortOvertakesClose() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("high-water-mark", "64KiB", "write-timeout", "1m",
                "max-pending-bytes", "256MiB"));
                FrameClient c = FrameClient.login(f.address, "stuck")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("stuck") != null);
            RecordingContext.RecordingConnection stuck = f.context.connection("stuck");
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 2048; i++) {
                writes.add(stuck.adapter.write(new byte[FRAME]).toCompletableFuture());
            }
            stuck.adapter.close(CloseReason.SSO_REPLACED);
            CompletableFuture<Void> last = writes.get(writes.size() - 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> !last.isDone() && !stuck.closed());
            stuck.adapter.abort(CloseReason.KICKED);
            await().atMost(Duration.ofSeconds(1)).until(() -> writes.stream().allMatch(CompletableFuture::isDone));
            await().atMost(Duration.ofSeconds(1)).until(stuck::closed);
            assertThat(stuck.reason).as("the first reason wins").isEqualTo(CloseReason.SSO_REPLACED);
        }
    }
}
