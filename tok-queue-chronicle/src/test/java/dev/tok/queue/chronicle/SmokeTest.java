package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir Path dir;

    @Test
    void enqueuePeekAckReopen() {
        Instant exp = Instant.now().plus(Duration.ofHours(1));
        try (Queue q = TestQueues.open(dir)) {
            for (int i = 0; i < 5; i++) {
                q.enqueue("alice", ("m" + i).getBytes(StandardCharsets.UTF_8), exp);
            }
            List<QueuedMessage> got = q.peek("alice", 3);
            assertThat(got).hasSize(3);
            q.acknowledge("alice", got.get(1).id());
            assertThat(q.size("alice")).isEqualTo(3);
        }
        try (Queue q = TestQueues.open(dir)) {
            List<QueuedMessage> got = q.peek("alice", 10);
            assertThat(got).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8)).containsExactly("m2", "m3", "m4");
            assertThat(got.get(0).expiresAt()).isEqualTo(exp);
        }
    }
}
