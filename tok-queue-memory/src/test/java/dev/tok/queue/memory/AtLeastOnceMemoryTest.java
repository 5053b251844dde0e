package dev.tok.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the memory queue keeps for at-least-once delivery: cursors that outlive messages, and bytes. */
class AtLeastOnceMemoryTest {

    private static final int O = MemoryQueue.OVERHEAD_BYTES;
    private static final Instant LATER = Instant.now().plusSeconds(3600);

    @Test
    @DisplayName("a user with a known device stays in the map when its messages are gone, through sweeps, with its cursors")
    void knownDevicesOutliveMessagesAndSweeps() {
        try (MemoryQueue q = new MemoryQueue(100, 1_000_000, Duration.ofMillis(20))) {
            Device phone = Device.of("alice", "phone");
            Device laptop = Device.of("alice", "laptop");
            q.cursor(phone);
            q.cursor(laptop);
            long id = q.enqueue("alice", new byte[10], LATER);
            q.enqueue("bob", new byte[10], Instant.now().plusMillis(100));
            q.acknowledge(phone, id);
            q.acknowledge(laptop, id);
            assertThat(q.size("alice")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> q.userCount() == 1); // bob expired and was swept
            assertThat(q.usedBytes()).isZero();

            long next = q.enqueue("alice", new byte[10], LATER);
            q.acknowledge(phone, next);
            assertThat(q.cursor(laptop)).isEqualTo(id);
            assertThat(q.size("alice")).as("kept for the laptop").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("bytes are released when every device acknowledged, not before")
    void bytesFollowTheSmallestCursor() {
        try (MemoryQueue q = new MemoryQueue(100, 1_000_000, Duration.ofHours(1))) {
            Device a = Device.of("alice", "a");
            Device b = Device.of("alice", "b");
            q.cursor(a);
            q.cursor(b);
            long first = q.enqueue("alice", new byte[100], LATER);
            long second = q.enqueue("alice", new byte[200], LATER);
            q.acknowledge(a, second);
            assertThat(q.usedBytes()).isEqualTo(100 + O + 200 + O);
            q.acknowledge(b, first);
            assertThat(q.usedBytes()).isEqualTo(200 + O);
            q.acknowledge(b, second);
            assertThat(q.usedBytes()).isZero();
            assertThat(q.userCount()).as("alice's devices are remembered").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a message already expired at enqueue is not stored but still gets an increasing id")
    void expiredAtEnqueueGetsAnId() {
        try (MemoryQueue q = new MemoryQueue(100, 1_000_000, Duration.ofHours(1))) {
            long before = q.enqueue("alice", new byte[1], LATER);
            long expired = q.enqueue("alice", new byte[1], Instant.now().minusSeconds(1));
            long after = q.enqueue("alice", new byte[1], LATER);
            assertThat(expired).isGreaterThan(before);
            assertThat(after).isGreaterThan(expired);
            assertThat(q.size("alice")).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("reading after the cursor of a device that lags behind a full queue finds its place by binary search")
    void readAfterCursorInFullQueue() {
        try (MemoryQueue q = new MemoryQueue(10_000, 100_000_000, Duration.ofHours(1))) {
            Device lagging = Device.of("alice", "lagging");
            Device current = Device.of("alice", "current");
            q.cursor(lagging);
            long[] ids = new long[10_000];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = q.enqueue("alice", new byte[1], LATER);
            }
            q.acknowledge(current, ids[9_990]);
            assertThat(q.read("alice", q.cursor(current), 100)).hasSize(9);
            assertThat(q.read("alice", q.cursor(lagging), 3)).extracting(m -> m.id()).containsExactly(ids[0], ids[1], ids[2]);
            assertThat(q.size("alice")).isEqualTo(10_000);
        }
    }
}
