package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis' maxmemory is the bound across users: at it, an enqueue fails with QueueFullException
 * naming maxmemory and stores nothing, while reads, cursors and acknowledgements still work, so
 * delivering frees memory.
 */
class OutOfMemoryTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("at maxmemory, enqueue is refused with QueueFullException; peek, cursor and acknowledge still work and free room")
    void maxmemory() {
        try (RedisServer redis = RedisServer.start(dir, RedisServer.Persistence.NONE);
                Queue q = TestRedis.open(redis, "max-bytes-per-user", "64MiB")) {
            assertThat(redis.command("CONFIG SET maxmemory 4mb")).isEqualTo("+OK");
            Device phone = Device.of("alice", "phone");
            q.cursor(phone);
            byte[] payload = new byte[64 * 1024];
            QueueFullException refusal = null;
            int stored = 0;
            for (int i = 0; i < 200 && refusal == null; i++) {
                try {
                    q.enqueue("alice", payload, Instant.now().plusSeconds(3600));
                    stored++;
                } catch (QueueFullException e) {
                    refusal = e;
                }
            }
            assertThat(refusal).as("refused at maxmemory").isNotNull();
            assertThat(refusal.getMessage()).contains("maxmemory").contains(redis.uri());
            assertThat(stored).isPositive();
            assertThat(q.size("alice")).isEqualTo(stored);
            assertThat(q.peek("alice", 1)).hasSize(1);
            assertThat(q.cursor(phone)).isZero();

            q.acknowledge(phone, Long.MAX_VALUE);
            assertThat(q.size("alice")).isZero();
            q.enqueue("alice", payload, Instant.now().plusSeconds(3600));
            assertThat(q.size("alice")).isEqualTo(1);
        }
    }
}
