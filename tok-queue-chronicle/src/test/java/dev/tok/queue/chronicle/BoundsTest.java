package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.api.QueuedMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bounds fail the enqueue with a QueueFullException naming the setting, and store nothing. */
class BoundsTest {

    @TempDir
    Path dir;

    private final Instant expiry = Instant.now().plus(Duration.ofHours(1));

    @Test
    @DisplayName("max-messages-per-user refuses the next message for that user only")
    void perUserBound() {
        try (Queue q = TestQueues.open(dir, "max-messages-per-user", "3")) {
            for (int i = 0; i < 3; i++) {
                q.enqueue("gina", new byte[] {(byte) i}, expiry);
            }
            assertThatThrownBy(() -> q.enqueue("gina", new byte[] {9}, expiry))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("max-messages-per-user")
                    .hasMessageContaining("3");
            assertThat(q.size("gina")).isEqualTo(3);
            assertThat(q.peek("gina", 10)).extracting(m -> m.payload()[0]).containsExactly((byte) 0, (byte) 1, (byte) 2);
            q.enqueue("hank", new byte[] {1}, expiry);
            q.acknowledge("gina", q.peek("gina", 1).get(0).id());
            q.enqueue("gina", new byte[] {3}, expiry);
            assertThat(q.size("gina")).isEqualTo(3);
        }
        try (Queue q = TestQueues.open(dir, "max-messages-per-user", "3")) {
            assertThat(q.peek("gina", 10)).extracting(m -> m.payload()[0]).containsExactly((byte) 1, (byte) 2, (byte) 3);
        }
    }

    @Test
    @DisplayName("max-disk-bytes refuses messages until delivered ones' cycle files are reclaimed")
    void diskBound() {
        byte[] payload = new byte[100 * 1024];
        try (Queue q = TestQueues.open(dir, "max-disk-bytes", "1MiB", "roll-cycle", "test-secondly", "sweep-interval", "50ms")) {
            int stored = 0;
            QueueFullException full = null;
            for (int i = 0; i < 20 && full == null; i++) {
                try {
                    q.enqueue("ivan-" + i, payload, expiry);
                    stored++;
                } catch (QueueFullException e) {
                    full = e;
                }
            }
            assertThat(full).isNotNull();
            assertThat(full).hasMessageContaining("max-disk-bytes").hasMessageContaining(String.valueOf(1 << 20));
            assertThat(stored).isBetween(9, 10);
            assertThat(q.size("ivan-" + stored)).as("the refused message is not stored").isZero();

            for (int i = 0; i < stored; i++) {
                List<QueuedMessage> m = q.peek("ivan-" + i, 1);
                q.acknowledge("ivan-" + i, m.get(0).id());
            }
            assertThat(((ChronicleOfflineQueue) q).waitingBytes()).isZero();
            // acknowledged records still occupy their cycle file until it is deleted
            assertThatThrownBy(() -> q.enqueue("ivan-again", payload, expiry)).isInstanceOf(QueueFullException.class);
            await().atMost(Duration.ofSeconds(15)).ignoreException(QueueFullException.class)
                    .until(() -> {
                        q.enqueue("ivan-again", payload, expiry);
                        return true;
                    });
            assertThat(q.size("ivan-again")).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("min-free-disk refuses messages when the file system is (nearly) full")
    void freeDiskBound() {
        try (Queue q = TestQueues.open(dir, "min-free-disk", "1000000GiB")) {
            assertThatThrownBy(() -> q.enqueue("judy", new byte[10], expiry))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("min-free-disk");
            assertThat(q.size("judy")).isZero();
        }
    }

    @Test
    @DisplayName("a payload larger than Chronicle's largest record (16 MiB) is refused, nothing stored")
    void hugePayload() {
        try (Queue q = TestQueues.open(dir)) {
            q.enqueue("kate", new byte[8 << 20], expiry);
            assertThatThrownBy(() -> q.enqueue("kate", new byte[20 << 20], expiry))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining(String.valueOf(20 << 20));
            q.enqueue("kate", new byte[] {1}, expiry);
            assertThat(q.peek("kate", 5)).extracting(m -> m.payload().length).containsExactly(8 << 20, 1);
        }
    }
}
