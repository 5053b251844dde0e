package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.Queue;
import dev.tok.api.TokException;
import dev.tok.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Redis with a password: the uri's password opens it; a wrong one fails without showing either. */
class AuthenticationTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("the password of the uri authenticates; a wrong password fails naming the uri without it")
    void password() {
        try (RedisServer redis = RedisServer.start(dir, RedisServer.Persistence.NONE, "--requirepass", "s3cret-pw")) {
            String withPassword = "redis://:s3cret-pw@127.0.0.1:" + redis.port() + "/0";
            try (Queue q = TestRedis.open(Map.of("uri", withPassword))) {
                q.enqueue("alice", new byte[] {1}, Instant.now().plusSeconds(60));
                assertThat(q.size("alice")).isEqualTo(1);
                assertThat(q.toString()).doesNotContain("s3cret-pw");
            }
            assertThatThrownBy(() -> TestRedis.open(Map.of("uri", "redis://:wrong-pw@127.0.0.1:" + redis.port() + "/0")))
                    .isInstanceOf(TokException.class)
                    .hasMessageContaining("redis://127.0.0.1:" + redis.port() + "/0")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-pw").doesNotContain("s3cret-pw"));
            assertThatThrownBy(() -> TestRedis.open(Map.of("uri", redis.uri()))).as("no password")
                    .isInstanceOf(TokException.class)
                    .hasMessageContaining(redis.uri());
        }
    }
}
