package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The documented guarantee is at-least-once: a message leaves the queue only when acknowledged.
 * A child JVM delivers two messages, acknowledges the first, and is killed before acknowledging
 * the second: after the restart the acknowledged one is gone for good and the delivered but
 * unacknowledged one is delivered again, with its original expiry.
 */
class KillBeforeAcknowledgeTest {

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    @Test
    @DisplayName("kill between delivery and acknowledgement: the message comes back, acknowledged ones do not")
    void unacknowledgedDeliveryComesBack() throws Exception {
        Instant expiry = Instant.now().plus(Duration.ofMinutes(30));
        try (Queue q = TestQueues.open(dir)) {
            for (String s : List.of("one", "two", "three")) {
                q.enqueue("bob", s.getBytes(StandardCharsets.UTF_8), expiry);
            }
        }
        String report;
        try (ChildJvm child = ChildJvm.start(logs.resolve("child.err"), "deliver", dir.toString(), "bob")) {
            report = child.readUntil(l -> l.startsWith("ACKED ") || l.startsWith("CONFIG"), 20);
            assertThat(report).as("child delivered; see " + logs).startsWith("ACKED ");
            child.kill();
        }
        String[] parts = report.split(" ");
        long acked = Long.parseLong(parts[1]);
        long delivered = Long.parseLong(parts[3]);

        try (Queue q = TestQueues.open(dir)) {
            List<QueuedMessage> left = q.peek("bob", 10);
            assertThat(left).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8)).containsExactly("two", "three");
            assertThat(left.get(0).id()).isEqualTo(delivered);
            assertThat(left).extracting(QueuedMessage::id).doesNotContain(acked);
            assertThat(left).extracting(QueuedMessage::expiresAt).containsOnly(expiry);
            q.acknowledge("bob", left.get(1).id());
        }
        try (Queue q = TestQueues.open(dir)) {
            assertThat(q.size("bob")).isZero();
        }
    }
}
