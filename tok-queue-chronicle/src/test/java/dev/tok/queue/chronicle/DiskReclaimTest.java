package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk is reclaimed: with one-second test cycles, cycle files go once everything in them was
 * acknowledged or expired, and a cycle that still holds a waiting message stays.
 */
class DiskReclaimTest {

    private static final String[] FAST = {"roll-cycle", "test-secondly", "sweep-interval", "100ms"};

    @TempDir
    Path dir;
    @TempDir
    Path crashCopy;

    private static void nextCycle() {
        long second = Instant.now().getEpochSecond();
        await().pollInterval(Duration.ofMillis(5)).until(() -> Instant.now().getEpochSecond() > second);
    }

    private static byte[] kib(int i) {
        byte[] b = new byte[1024];
        b[0] = (byte) i;
        return b;
    }

    @Test
    @DisplayName("acknowledged cycles are deleted and the directory shrinks")
    void acknowledgedCyclesAreDeleted() {
        Instant expiry = Instant.now().plus(Duration.ofHours(1));
        try (Queue q = TestQueues.open(dir, FAST)) {
            for (int cycle = 0; cycle < 4; cycle++) {
                for (int i = 0; i < 200; i++) {
                    q.enqueue("carol", kib(i), expiry);
                }
                nextCycle();
            }
            assertThat(CycleFiles.list(dir)).hasSizeGreaterThanOrEqualTo(4);
            long before = CycleFiles.bytes(dir);
            int filesBefore = CycleFiles.list(dir).size();

            List<QueuedMessage> all = q.peek("carol", 1000);
            assertThat(all).hasSize(800);
            q.acknowledge("carol", all.get(all.size() - 1).id());

            await().atMost(Duration.ofSeconds(15)).until(() -> CycleFiles.list(dir).size() <= 1);
            assertThat(CycleFiles.bytes(dir)).isLessThan(before);
            assertThat(CycleFiles.list(dir).size()).isLessThan(filesBefore);
            assertThat(((ChronicleOfflineQueue) q).diskBytes()).isLessThan(4096);

            q.enqueue("carol", kib(1), expiry);
            assertThat(q.size("carol")).isEqualTo(1);
        }
        try (Queue q = TestQueues.open(dir, FAST)) {
            assertThat(q.size("carol")).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("expired cycles are deleted without any acknowledgement; max-ttl clamps longer expiries")
    void expiredCyclesAreDeleted() {
        try (Queue q = TestQueues.open(dir, "roll-cycle", "test-secondly", "sweep-interval", "100ms", "max-ttl", "2s")) {
            Instant asked = Instant.now().plus(Duration.ofDays(30));
            for (int i = 0; i < 100; i++) {
                q.enqueue("dave-" + (i % 10), kib(i), asked);
            }
            List<QueuedMessage> got = q.peek("dave-3", 10);
            assertThat(got).hasSize(10);
            assertThat(got.get(0).expiresAt()).isBefore(Instant.now().plus(Duration.ofSeconds(3)));
            nextCycle();
            assertThat(CycleFiles.list(dir)).isNotEmpty();

            await().atMost(Duration.ofSeconds(15)).until(() -> CycleFiles.list(dir).isEmpty());
            for (int i = 0; i < 10; i++) {
                assertThat(q.size("dave-" + i)).isZero();
            }
            assertThat(((ChronicleOfflineQueue) q).userCount()).isZero();
        }
    }

    @Test
    @DisplayName("a cycle with a waiting message stays; deleting later cycles never resurrects acknowledged messages")
    void liveCycleStaysAndAcknowledgementsHold() {
        Instant expiry = Instant.now().plus(Duration.ofHours(1));
        String oldest;
        try (Queue q = TestQueues.open(dir, FAST)) {
            q.enqueue("erin", "keep".getBytes(StandardCharsets.UTF_8), expiry);
            q.enqueue("frank", "f1".getBytes(StandardCharsets.UTF_8), expiry);
            oldest = CycleFiles.list(dir).get(0).getFileName().toString();
            nextCycle();
            // this cycle holds the acknowledgement of f1 (written in the older, surviving cycle)
            q.acknowledge("frank", q.peek("frank", 1).get(0).id());
            q.enqueue("frank", "f2".getBytes(StandardCharsets.UTF_8), expiry);
            nextCycle();
            q.acknowledge("frank", q.peek("frank", 1).get(0).id());
            nextCycle();

            await().atMost(Duration.ofSeconds(15)).until(() -> CycleFiles.list(dir).size() == 1);
            assertThat(CycleFiles.list(dir).get(0).getFileName().toString()).isEqualTo(oldest);
            assertThat(q.size("frank")).isZero();
            CycleFiles.copyAsIfKilled(dir, crashCopy);
        }
        try (Queue q = TestQueues.open(crashCopy, FAST)) {
            assertThat(q.size("frank")).as("after a crash: f1's acknowledgement was in a deleted cycle").isZero();
            assertThat(q.size("erin")).isEqualTo(1);
        }
        try (Queue q = TestQueues.open(dir, FAST)) {
            assertThat(q.size("frank")).as("f1's acknowledgement was in a deleted cycle").isZero();
            assertThat(q.peek("erin", 5)).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .containsExactly("keep");
        }
    }
}
