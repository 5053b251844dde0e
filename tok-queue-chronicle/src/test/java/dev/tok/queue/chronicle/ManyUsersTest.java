package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 distinct users with waiting messages live in one journal and one index: no per-user
 * files or threads; they survive a reopen from the snapshot and a reopen by full replay.
 */
class ManyUsersTest {

    private static final int USERS = 100_000;

    @TempDir
    Path dir;

    @Test
    @DisplayName("100k users: one journal, no per-user files or threads, intact after snapshot and after full replay")
    void hundredThousandUsers() throws Exception {
        Instant expiry = Instant.now().plus(Duration.ofHours(1));
        int threadsBefore = Thread.activeCount();
        try (Queue q = TestQueues.open(dir)) {
            for (int u = 0; u < USERS; u++) {
                q.enqueue("user-" + u, ("hello " + u).getBytes(StandardCharsets.UTF_8), expiry);
                if (u % 10 == 0) {
                    q.enqueue("user-" + u, ("again " + u).getBytes(StandardCharsets.UTF_8), expiry);
                }
            }
            assertThat(((ChronicleOfflineQueue) q).userCount()).isEqualTo(USERS);
            assertThat(Thread.activeCount() - threadsBefore).as("threads started").isLessThanOrEqualTo(3);
            for (int u = 0; u < USERS; u += 2) {
                List<QueuedMessage> m = q.peek("user-" + u, 1);
                q.acknowledge("user-" + u, m.get(0).id());
            }
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertThat(files.count()).as("files in the queue directory").isLessThan(10);
        }
        check(USERS);
        Files.delete(dir.resolve(Snapshot.FILE)); // as after a kill -9 before any snapshot
        check(USERS);
    }

    private void check(int users) {
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            ChronicleOfflineQueue.RecoveryReport r = q.recoveryReport();
            assertThat(r.messages()).isEqualTo(USERS / 2 + USERS / 10);
            for (int u = 0; u < users; u += 997) {
                int expected = (u % 2 == 0 ? 0 : 1) + (u % 10 == 0 ? 1 : 0);
                assertThat(q.size("user-" + u)).as("size of user-%d", u).isEqualTo(expected);
            }
            assertThat(q.peek("user-10", 5)).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .containsExactly("again 10");
            assertThat(q.peek("user-11", 5)).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .containsExactly("hello 11");
        }
    }
}
