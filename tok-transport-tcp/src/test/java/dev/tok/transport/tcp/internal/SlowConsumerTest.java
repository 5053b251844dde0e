package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A client that stops reading: bounded buffering, closed, every pending write fails. */
class SlowConsumerTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("observed");
    private static final int FRAME = 16 * 1024;

    @Test
    @DisplayName("above the high-water mark for longer than write-timeout: closed, pending writes fail, onClosed runs")
    void closedAfterWriteTimeoutAboveHighWaterMark() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("high-water-mark", "64KiB", "write-timeout", "500ms",
                "max-pending-bytes", "256MiB"));
                FrameClient c = FrameClient.login(f.address, "sloth")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("sloth") != null);
            RecordingContext.RecordingConnection sloth = f.context.connection("sloth");
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            long start = System.nanoTime();
            // the client never reads; write until the transport gives up (at most 1024 frames = 16 MiB, several
            // times what the socket buffers take)
            for (int i = 0; i < 1024 && !sloth.closed(); i++) {
                writes.add(sloth.adapter.write(new byte[FRAME]).toCompletableFuture());
                if (i % 64 == 63) {
                    // pace the writer (keeps the test's memory small): wait until this batch's last write settled,
                    // the connection closed, or 200 ms passed since the first write
                    CompletableFuture<Void> last = writes.get(writes.size() - 1);
                    await().atMost(Duration.ofSeconds(10)).until(() -> last.isDone() || sloth.closed()
                            || System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(200));
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(sloth::closed);
            assertThat(sloth.reason).isEqualTo(dev.tok.api.CloseReason.SLOW_CONSUMER);
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null).get(10, TimeUnit.SECONDS);
            long ok = writes.stream().filter(w -> !w.isCompletedExceptionally()).count();
            long failed = writes.size() - ok;
            LOG.info("slow consumer (hwm 64KiB, write-timeout 500ms): closed after ~{} ms; {} writes: {} reached the socket "
                    + "({} KiB), {} failed", closedAfter, writes.size(), ok, ok * FRAME / 1024, failed);
            assertThat(failed).as("writes pending when the connection closed must fail").isPositive();
            assertThat(writes).allMatch(CompletableFuture::isDone);
            assertThat(sloth.closes).hasValue(1);
            assertThat(failureMessage(writes)).contains("slow consumer");
            // what did not reach the socket was failed, not kept: later writes fail at once
            assertThat(sloth.adapter.write(new byte[1]).toCompletableFuture()).isCompletedExceptionally();
            c.awaitClosedByServer(Duration.ofSeconds(10));
        }
    }

    @Test
    @DisplayName("pending bytes would pass max-pending-bytes: closed at once, even before the write timeout")
    void closedWhenMaxPendingBytesExceeded() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("high-water-mark", "64KiB", "write-timeout", "1m",
                "max-pending-bytes", "1MiB"));
                FrameClient c = FrameClient.login(f.address, "hoarder")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("hoarder") != null);
            RecordingContext.RecordingConnection h = f.context.connection("hoarder");
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 4096 && !h.closed(); i++) {
                writes.add(h.adapter.write(new byte[FRAME]).toCompletableFuture());
            }
            await().atMost(Duration.ofSeconds(10)).until(h::closed);
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null).get(10, TimeUnit.SECONDS);
            long failed = writes.stream().filter(CompletableFuture::isCompletedExceptionally).count();
            LOG.info("max-pending-bytes 1MiB with write-timeout 1m: closed after {} writes of 16 KiB, {} failed", writes.size(),
                    failed);
            assertThat(failed).isPositive();
            assertThat(failureMessage(writes)).contains("max-pending-bytes");
            assertThat(h.reason).isEqualTo(dev.tok.api.CloseReason.SLOW_CONSUMER);
            assertThat(writes.size()).as("closed long before 4096 writes").isLessThan(4096);
        }
    }

    @Test
    @DisplayName("a consumer that catches up in time is not closed")
    void consumerThatCatchesUpStays() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("high-water-mark", "64KiB", "write-timeout", "2s",
                "max-pending-bytes", "64MiB"));
                FrameClient c = FrameClient.login(f.address, "steady")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("steady") != null);
            RecordingContext.RecordingConnection s = f.context.connection("steady");
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 512; i++) { // 8 MiB, far above the high-water mark
                writes.add(s.adapter.write(new byte[FRAME]).toCompletableFuture());
            }
            for (int i = 0; i < 512; i++) {
                assertThat(c.readFrame()).hasSize(FRAME);
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            assertThat(s.closed()).isFalse();
        }
    }

    private static String failureMessage(List<CompletableFuture<Void>> writes) throws InterruptedException {
        for (CompletableFuture<Void> w : writes) {
            if (w.isCompletedExceptionally()) {
                try {
                    w.get();
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(dev.tok.api.TokException.class);
                    return e.getCause().getMessage();
                }
            }
        }
        return "";
    }
}
