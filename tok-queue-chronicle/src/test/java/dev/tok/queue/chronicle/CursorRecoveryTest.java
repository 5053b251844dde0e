package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
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

/**
 * Device cursors through the Chronicle-specific recovery paths: the snapshot format versions,
 * CURSOR records replayed after a snapshot, a full replay without the snapshot, and cycle files
 * deleted under live cursors.
 */
class CursorRecoveryTest {

    private static final Device PHONE = Device.of("alice", "phone");
    private static final Device LAPTOP = Device.of("alice", "laptop");

    @TempDir
    Path dir;
    @TempDir
    Path crashCopy;

    private final Instant expiry = Instant.now().plus(Duration.ofHours(1));

    private List<Long> enqueue(Queue q, String uid, int n) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(q.enqueue(uid, ("m" + i).getBytes(StandardCharsets.UTF_8), expiry));
        }
        return ids;
    }

    private static List<Long> ids(Queue q, String uid) {
        return q.read(uid, 0, 10_000).stream().map(QueuedMessage::id).toList();
    }

    @Test
    @DisplayName("CURSOR records after a snapshot are replayed: cursors, and exactly the messages their acknowledgements removed")
    void cursorRecordsReplayedAfterSnapshot() {
        List<Long> ids;
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir, "snapshot-every", "5", "sweep-interval", "1h")) {
            q.cursor(PHONE);
            q.cursor(LAPTOP);
            ids = enqueue(q, "alice", 10);
            q.acknowledge(PHONE, ids.get(3));
            q.sweepNow(); // snapshot: the laptop at 0 pins everything
            q.acknowledge(LAPTOP, ids.get(5));
            q.acknowledge(PHONE, ids.get(7));
            q.cursor(Device.of("alice", "watch")); // registered after the snapshot: pins m6..m9
            q.acknowledge(Device.of("alice", "watch"), ids.get(6));
            CycleFiles.copyAsIfKilled(dir, crashCopy);
        }
        try (ChronicleOfflineQueue q = TestQueues.openImpl(crashCopy)) {
            assertThat(q.recoveryReport().snapshotUsed()).isTrue();
            assertThat(q.recoveryReport().recordsReplayed()).isEqualTo(4);
            assertThat(q.recoveryReport().devices()).isEqualTo(3);
            assertThat(q.cursor(PHONE)).isEqualTo(ids.get(7));
            assertThat(q.cursor(LAPTOP)).isEqualTo(ids.get(5));
            assertThat(q.cursor(Device.of("alice", "watch"))).isEqualTo(ids.get(6));
            assertThat(ids(q, "alice")).containsExactlyElementsOf(ids.subList(6, 10));
            assertThat(q.enqueue("alice", new byte[0], expiry)).isGreaterThan(ids.get(9));
        }
    }

    @Test
    @DisplayName("without a usable snapshot the whole journal is replayed, cursors included")
    void fullReplayKeepsCursors() throws IOException {
        List<Long> ids;
        try (Queue q = TestQueues.open(dir)) {
            q.cursor(PHONE);
            q.cursor(LAPTOP);
            ids = enqueue(q, "alice", 6);
            q.acknowledge(PHONE, ids.get(4));
            q.acknowledge(LAPTOP, ids.get(1));
            q.acknowledge(Device.of("bob", "phone"), 0); // bob: a device and no messages
        }
        Files.delete(dir.resolve(Snapshot.FILE));
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            assertThat(q.recoveryReport().snapshotUsed()).isFalse();
            assertThat(q.cursor(PHONE)).isEqualTo(ids.get(4));
            assertThat(q.cursor(LAPTOP)).isEqualTo(ids.get(1));
            assertThat(ids(q, "alice")).containsExactlyElementsOf(ids.subList(2, 6));
            assertThat(q.recoveryReport().devices()).as("bob's device is known too").isEqualTo(3);
            long next = q.enqueue("bob", new byte[0], expiry);
            q.acknowledge(Device.of("bob", "tablet"), next);
            assertThat(q.size("bob")).as("bob's phone has not acknowledged it").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a version-1 snapshot (before device cursors) still loads")
    void versionOneSnapshotLoads() throws IOException {
        try (Queue q = TestQueues.open(dir)) {
            enqueue(q, "alice", 3);
            enqueue(q, "bob", 2);
        }
        Snapshot.read(dir).write(dir, Snapshot.VERSION_WITHOUT_CURSORS);
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            assertThat(q.recoveryReport().snapshotUsed()).isTrue();
            assertThat(q.recoveryReport().recordsReplayed()).isZero();
            assertThat(q.size("alice")).isEqualTo(3);
            assertThat(q.size("bob")).isEqualTo(2);
            assertThat(q.cursor(PHONE)).isZero();
        }
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            assertThat(q.cursor(PHONE)).as("written as version %d at close", Snapshot.VERSION).isZero();
            assertThat(q.recoveryReport().devices()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a snapshot from a newer format version is refused with a message naming both versions, and the journal is replayed")
    void newerSnapshotVersionRefused() throws IOException {
        List<Long> ids;
        try (Queue q = TestQueues.open(dir)) {
            ids = enqueue(q, "alice", 4);
            q.acknowledge(PHONE, ids.get(1));
        }
        Path snap = dir.resolve(Snapshot.FILE);
        byte[] bytes = Files.readAllBytes(snap);
        ByteBuffer.wrap(bytes).putInt(8, Snapshot.VERSION + 1); // after the 8-byte magic
        Files.write(snap, bytes);
        assertThatThrownBy(() -> Snapshot.read(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("format version " + (Snapshot.VERSION + 1))
                .hasMessageContaining("reads versions 1 to " + Snapshot.VERSION);
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            assertThat(q.recoveryReport().snapshotUsed()).isFalse();
            assertThat(q.cursor(PHONE)).isEqualTo(ids.get(1));
            assertThat(ids(q, "alice")).containsExactlyElementsOf(ids.subList(2, 4));
        }
    }

    @Test
    @DisplayName("deleting cycle files keeps every cursor: they are written again first, so snapshot and full replay both find them")
    void reclaimKeepsCursors() {
        String[] fast = {"roll-cycle", "test-secondly", "sweep-interval", "100ms"};
        long phoneCursor;
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir, fast)) {
            q.cursor(LAPTOP); // registered in the first cycle, never moves
            List<Long> ids = enqueue(q, "alice", 3);
            q.acknowledge(PHONE, ids.get(2));
            q.acknowledge(LAPTOP, ids.get(2)); // everything acknowledged: alice has devices only
            phoneCursor = ids.get(2);
            q.cursor(Device.of("bob", "phone"));
            // named before the next second: from then on the sweeper may delete it and write the
            // cursors again into the next cycle's file, which would then be the oldest one
            String first = CycleFiles.list(dir).get(0).getFileName().toString();
            CycleFiles.awaitNextSecond();
            // a message in a later cycle, acknowledged by one device only: it must survive both paths below
            long pinned = q.enqueue("alice", "pinned".getBytes(StandardCharsets.UTF_8), expiry);
            q.acknowledge(PHONE, pinned);
            phoneCursor = pinned;
            CycleFiles.awaitNextSecond();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> CycleFiles.list(dir).stream().noneMatch(p -> p.getFileName().toString().equals(first)));
            assertThat(q.cursor(LAPTOP)).isEqualTo(ids.get(2));
            CycleFiles.copyAsIfKilled(dir, crashCopy);
        }
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir, fast)) {
            assertThat(q.recoveryReport().snapshotUsed()).isTrue();
            assertCursorsKept(q, phoneCursor);
        }
        try {
            Files.delete(crashCopy.resolve(Snapshot.FILE));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (ChronicleOfflineQueue q = TestQueues.openImpl(crashCopy, fast)) {
            assertThat(q.recoveryReport().snapshotUsed()).isFalse();
            assertCursorsKept(q, phoneCursor);
        }
    }

    private static void assertCursorsKept(ChronicleOfflineQueue q, long phoneCursor) {
        assertThat(q.recoveryReport().devices()).isEqualTo(3);
        assertThat(q.cursor(PHONE)).isEqualTo(phoneCursor);
        assertThat(q.read("alice", q.cursor(LAPTOP), 10)).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .as("kept for the laptop").containsExactly("pinned");
        assertThat(q.read("alice", q.cursor(PHONE), 10)).isEmpty();
        assertThat(q.enqueue("alice", new byte[0], Instant.now().plusSeconds(60))).isGreaterThan(phoneCursor);
    }
}
