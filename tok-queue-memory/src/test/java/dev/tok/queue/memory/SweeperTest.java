package dev.tok.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.QueueFullException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Expired messages of users nobody reads are removed by one shared thread, not one per user. */
class SweeperTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Test
    @DisplayName("the sweeper drops expired messages and empty users that nobody touches")
    void sweeperDropsExpiredUsers() {
        try (MemoryQueue q = new MemoryQueue(100, 100_000_000, Duration.ofMillis(50))) {
            Instant soon = Instant.now().plusMillis(200);
            for (int i = 0; i < 500; i++) {
                q.enqueue("short-" + i, new byte[100], soon);
            }
            q.enqueue("long", new byte[10], Instant.now().plusSeconds(3600));
            assertThat(q.userCount()).isEqualTo(501);

            await().atMost(PATIENCE).until(() -> q.userCount() == 1);
            assertThat(q.usedBytes()).isEqualTo(10 + MemoryQueue.OVERHEAD_BYTES);
            assertThat(q.size("long")).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("one sweeper thread per queue whatever the number of users, gone after close")
    void oneThreadPerQueue() {
        MemoryQueue q = new MemoryQueue(100, 100_000_000, Duration.ofMillis(50));
        String name = q.sweeperThreadName();
        try {
            for (int i = 0; i < 2000; i++) {
                q.enqueue("user-" + i, new byte[1], Instant.now().plusMillis(100 + i % 300));
            }
            await().atMost(PATIENCE).until(() -> sweeperThreads(name) == 1);
            await().atMost(PATIENCE).until(() -> q.userCount() == 0);
            assertThat(sweeperThreads(name)).isEqualTo(1);
        } finally {
            q.close();
        }
        await().atMost(PATIENCE).until(() -> sweeperThreads(name) == 0);
    }

    @Test
    @DisplayName("when the byte bound refuses a message, an immediate sweep reclaims expired bytes")
    void refusalTriggersSweep() {
        try (MemoryQueue q = new MemoryQueue(100, 10 * (1000 + MemoryQueue.OVERHEAD_BYTES), Duration.ofHours(1))) {
            Instant soon = Instant.now().plusMillis(200);
            for (int i = 0; i < 10; i++) {
                q.enqueue("short-" + i, new byte[1000], soon);
            }
            assertThatThrownBy(() -> q.enqueue("fresh", new byte[1000], Instant.now().plusSeconds(3600)))
                    .isInstanceOf(QueueFullException.class);
            await().atMost(PATIENCE).until(() -> Instant.now().isAfter(soon));
            // the hourly sweep will not run within the test: only the sweep a refusal asks for can free the bytes
            await().atMost(PATIENCE).until(() -> {
                try {
                    q.enqueue("fresh", new byte[1000], Instant.now().plusSeconds(3600));
                    return true;
                } catch (QueueFullException e) {
                    return false;
                }
            });
            assertThat(q.userCount()).isEqualTo(1);
        }
    }

    private static long sweeperThreads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive()).count();
    }
}
