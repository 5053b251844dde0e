package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery paths: snapshot plus replay, repeated reopen, damaged snapshot, state as a kill leaves it. */
class RecoveryTest {

    @TempDir
    Path dir;
    @TempDir
    Path crashCopy;

    private final Instant expiry = Instant.now().plus(Duration.ofHours(1));

    private static List<String> texts(Queue q, String uid) {
        List<String> out = new ArrayList<>();
        for (QueuedMessage m : q.peek(uid, 1000)) {
            out.add(new String(m.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private void fill(Queue q, int n) {
        for (int i = 0; i < n; i++) {
            q.enqueue("user-" + (i % 5), ("m" + i).getBytes(StandardCharsets.UTF_8), expiry);
        }
    }

    @Test
    @DisplayName("reopening again and again without writing keeps every message exactly once")
    void repeatedIdleReopen() {
        try (Queue q = TestQueues.open(dir)) {
            fill(q, 50);
        }
        for (int round = 0; round < 3; round++) {
            try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
                assertThat(q.recoveryReport().messages()).as("round %d", round).isEqualTo(50);
                assertThat(q.size("user-0")).isEqualTo(10);
            }
        }
    }

    @Test
    @DisplayName("a kill after a mid-stream snapshot recovers from the snapshot plus the records after it")
    void snapshotPlusReplay() {
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir, "snapshot-every", "100", "sweep-interval", "1h")) {
            fill(q, 300);
            q.acknowledge("user-1", q.peek("user-1", 3).get(2).id());
            q.sweepNow(); // writes a snapshot: over 100 records since the last one
            fill(q, 40);
            q.acknowledge("user-2", q.peek("user-2", 100).get(60).id());
            CycleFiles.copyAsIfKilled(dir, crashCopy);
        }
        try (ChronicleOfflineQueue q = TestQueues.openImpl(crashCopy)) {
            ChronicleOfflineQueue.RecoveryReport r = q.recoveryReport();
            assertThat(r.snapshotUsed()).isTrue();
            assertThat(r.recordsReplayed()).isEqualTo(41);
            assertThat(q.size("user-0")).isEqualTo(68);
            assertThat(q.size("user-1")).isEqualTo(65);
            assertThat(q.size("user-2")).isEqualTo(7);
            // user-2 had m2..m297 (60) then m2..m37 (8); the first 61 were acknowledged after the snapshot
            assertThat(texts(q, "user-2")).containsExactly("m7", "m12", "m17", "m22", "m27", "m32", "m37");
        }
    }

    @Test
    @DisplayName("a damaged snapshot is ignored with a warning and the whole journal is replayed")
    void damagedSnapshot() throws Exception {
        try (Queue q = TestQueues.open(dir)) {
            fill(q, 20);
            q.acknowledge("user-3", q.peek("user-3", 1).get(0).id());
        }
        Path snap = dir.resolve(Snapshot.FILE);
        byte[] bytes = Files.readAllBytes(snap);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(snap, bytes);
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            assertThat(q.recoveryReport().snapshotUsed()).isFalse();
            assertThat(q.recoveryReport().recordsReplayed()).isEqualTo(21);
            assertThat(texts(q, "user-3")).containsExactly("m8", "m13", "m18");
            assertThat(q.size("user-0")).isEqualTo(4);
        }
    }

    @Test
    @DisplayName("a truncated snapshot is ignored as well")
    void truncatedSnapshot() throws Exception {
        try (Queue q = TestQueues.open(dir)) {
            fill(q, 20);
        }
        Path snap = dir.resolve(Snapshot.FILE);
        byte[] bytes = Files.readAllBytes(snap);
        Files.write(snap, java.util.Arrays.copyOf(bytes, bytes.length - 9));
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            assertThat(q.recoveryReport().snapshotUsed()).isFalse();
            assertThat(q.size("user-4")).isEqualTo(4);
        }
    }
}
