package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.TokException;
import dev.tok.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis goes away (its process stopped) and comes back (started again on the same port): every
 * operation meanwhile fails with a TokException naming the uri and the cause within
 * command-timeout, never hangs; afterwards the same queue works again (Lettuce reconnected, the
 * script is sent again).
 */
class RedisDownTest {

    @TempDir
    Path dir;

    private RedisServer redis;

    @BeforeEach
    void start() {
        redis = RedisServer.start(dir, RedisServer.Persistence.APPEND_ONLY);
    }

    @AfterEach
    void stop() {
        redis.stop();
    }

    private static Instant hour() {
        return Instant.now().plusSeconds(3600);
    }

    @Test
    @DisplayName("while Redis is down, operations fail within command-timeout naming the uri; after it is back they work again")
    void downThenUp() {
        try (Queue q = TestRedis.open(redis, "command-timeout", "1s")) {
            long before = q.enqueue("alice", new byte[] {1}, hour());
            redis.stop();

            long t0 = System.nanoTime();
            assertThatThrownBy(() -> q.enqueue("alice", new byte[] {2}, hour()))
                    .isInstanceOf(TokException.class)
                    .hasMessageContaining(redis.uri())
                    .hasMessageContaining("enqueue")
                    .hasMessageContaining("command-timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
            assertThatThrownBy(() -> q.peek("alice", 10)).isInstanceOf(TokException.class).hasMessageContaining(redis.uri());
            assertThatThrownBy(() -> q.cursor(Device.of("alice", "phone"))).isInstanceOf(TokException.class);

            redis.restart();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(TokException.class)
                    .until(() -> q.size("alice") == 1);
            long after = q.enqueue("alice", new byte[] {3}, hour());
            assertThat(after).isGreaterThan(before);
            assertThat(q.peek("alice", 10)).extracting(m -> m.payload()[0]).containsExactly((byte) 1, (byte) 3);
        }
    }

    @Test
    @DisplayName("with when-disconnected=fail, operations fail at once while the connection is down")
    void failFast() {
        try (Queue q = TestRedis.open(redis, "command-timeout", "10s", "when-disconnected", "fail")) {
            q.enqueue("bob", new byte[] {1}, hour());
            redis.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                long t0 = System.nanoTime();
                try {
                    q.size("bob");
                    return false;
                } catch (TokException e) {
                    return e.getMessage().contains(redis.uri()) && System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos();
                }
            });
            redis.restart();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(TokException.class)
                    .until(() -> q.size("bob") == 1);
        }
    }

    @Test
    @DisplayName("opening a queue on a Redis that is not there fails with the uri (without password) and the cause")
    void unreachableAtOpen() {
        redis.stop();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> TestRedis.open(java.util.Map.of("uri",
                "redis://:s3cret@127.0.0.1:" + redis.port() + "/0", "connect-timeout", "2s")))
                .isInstanceOf(TokException.class)
                .hasMessageContaining("redis://127.0.0.1:" + redis.port() + "/0")
                .hasMessageContaining("refused")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("a killed Redis with appendonly comes back with what it had fsynced; the queue carries on")
    void killedAndRestarted() {
        try (Queue q = TestRedis.open(redis, "command-timeout", "1s")) {
            long id = q.enqueue("carol", new byte[] {7}, hour());
            q.acknowledge(Device.of("carol", "phone"), 0);
            redis.stop(); // graceful: the append-only file is complete
            redis.restart();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(TokException.class)
                    .until(() -> q.size("carol") == 1);
            assertThat(q.cursor(Device.of("carol", "phone"))).isZero();
            redis.kill();
            redis.restart();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(TokException.class)
                    .until(() -> q.enqueue("carol", new byte[] {8}, hour()) > id);
        }
    }
}
