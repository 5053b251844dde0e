package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Device;
import dev.tok.api.QueuedMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM enqueues and reports each enqueue that returned; it is SIGKILLed mid-stream
 * (twice, the second time after appending to the recovered directory), and every reported
 * message must be there, in order per user, exactly once. An at-least-once child (device
 * cursors) is killed the same way while old cycle files are being deleted.
 */
class KillNineTest {

    private static final int USERS = 7;

    @TempDir
    Path dir;
    @TempDir
    Path logs;
    @TempDir
    Path crashCopy;

    @Test
    @DisplayName("every enqueue that returned before kill -9 survives it, in order, once")
    void killedWriterLosesNothing() throws Exception {
        TreeSet<Integer> reported = new TreeSet<>();
        killMidStream(0, 8_000, reported);
        int next = reported.last() + 2; // leave a gap: a message in flight at the kill may or may not be stored
        killMidStream(next, 5_000, reported);

        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            assertThat(q.recoveryReport().snapshotUsed()).as("a snapshot was written before the kill").isTrue();
            Map<String, List<Integer>> perUser = new HashMap<>();
            List<Integer> all = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                List<Integer> got = new ArrayList<>();
                for (QueuedMessage m : q.peek("user-" + u, 100_000)) {
                    got.add(QueueChild.index(m.payload()));
                }
                assertThat(got).as("user-%d in enqueue order", u).isSorted();
                assertThat(got).as("user-%d without duplicates", u).doesNotHaveDuplicates();
                for (int i : got) {
                    assertThat(i % USERS).isEqualTo(u);
                }
                perUser.put("user-" + u, got);
                all.addAll(got);
            }
            assertThat(all).as("every reported message").containsAll(reported);
            TreeSet<Integer> extra = new TreeSet<>(all);
            extra.removeAll(reported);
            // only a message whose enqueue returned but whose report was cut by the kill may be extra
            assertThat(extra.size()).as("unreported extras %s", extra).isLessThanOrEqualTo(2);
            for (int e : extra) {
                assertThat(reported.contains(e - 1)).as("extra %d directly follows a reported one", e).isTrue();
            }
        }
    }

    @Test
    @DisplayName("at-least-once: after kill -9, every message some device has not acknowledged is there, and every cursor acknowledge() returned for")
    void killedCursorWriterLosesNothing() throws Exception {
        int users = 5;
        Map<String, Map<Long, Integer>> enqueued = new HashMap<>(); // uid -> id -> message index
        Map<String, Map<String, Long>> cursors = new HashMap<>(); // uid -> device -> last reported cursor
        List<String> flags = new ArrayList<>(ChildJvm.moduleFlags());
        // one-second cycles: old cycle files are deleted (and their cursors written again) while the child runs
        flags.add("-Dtok.child.settings=snapshot-every=1000,sweep-interval=20ms,roll-cycle=test-secondly");
        try (ChildJvm child = ChildJvm.start(logs.resolve("child-cursors.err"), flags, "cursors", dir.toString(),
                "100000000", String.valueOf(users))) {
            assertThat(child.readUntil("READY"::equals, 10)).as("child started; see " + logs).isEqualTo("READY");
            assertThat(child.readUntil(l -> l.startsWith("ENQ 3000 "), 20_000)).as("child reached 3000 enqueues").isNotNull();
            Path first = CycleFiles.list(dir).get(0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.exists(first) && System.nanoTime() < deadline) {
                child.readUntil(l -> false, 2_000); // keep the child's output flowing
            }
            assertThat(first).as("the first cycle file was deleted while the child ran").doesNotExist();
            child.readUntil(l -> false, 20_000);
            child.kill();
            child.drain();
            assertThat(child.lines).as("killed mid-stream").doesNotContain("DONE");
            for (String line : child.lines) {
                String[] f = line.split(" ");
                if (f[0].equals("ENQ")) {
                    enqueued.computeIfAbsent(f[2], k -> new HashMap<>()).put(Long.parseLong(f[3]), Integer.parseInt(f[1]));
                } else if (f[0].equals("CUR")) {
                    cursors.computeIfAbsent(f[1], k -> new HashMap<>()).put(f[2], Long.parseLong(f[3]));
                }
            }
        }
        CycleFiles.copyAsIfKilled(dir, crashCopy);
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            assertThat(q.recoveryReport().snapshotUsed()).as("a snapshot was written before the kill").isTrue();
            assertOwedKept(q, users, enqueued, cursors, true);
        }
        Files.delete(crashCopy.resolve(Snapshot.FILE));
        try (ChronicleOfflineQueue q = TestQueues.openImpl(crashCopy)) {
            // without the snapshot, removals recorded in deleted cycle files are lost (messages may come
            // back), cursors are not: the journal holds the latest record of each
            assertThat(q.recoveryReport().snapshotUsed()).isFalse();
            assertOwedKept(q, users, enqueued, cursors, false);
        }
    }

    /**
     * Every device known, every cursor at least the last one reported, every reported message some
     * device had not acknowledged there (with its payload); with {@code exact}, nothing that both
     * acknowledged and no extras but the one message whose report the kill may have cut.
     */
    private static void assertOwedKept(ChronicleOfflineQueue q, int users, Map<String, Map<Long, Integer>> enqueued,
            Map<String, Map<String, Long>> cursors, boolean exact) {
        assertThat(q.recoveryReport().devices()).as("every registered device").isEqualTo(2L * users);
        for (int u = 0; u < users; u++) {
            String uid = "user-" + u;
            long a = q.cursor(Device.of(uid, "a"));
            long b = q.cursor(Device.of(uid, "b"));
            assertThat(a).as("%s/a: at least the last cursor acknowledge() returned for", uid)
                    .isGreaterThanOrEqualTo(cursors.get(uid).get("a"));
            assertThat(b).as("%s/b", uid).isGreaterThanOrEqualTo(cursors.get(uid).get("b"));
            long min = Math.min(a, b);
            List<QueuedMessage> kept = q.read(uid, 0, 100_000);
            assertThat(kept).extracting(QueuedMessage::id).as("%s in id order, once", uid).isSorted().doesNotHaveDuplicates();
            List<Long> owed = enqueued.get(uid).keySet().stream().filter(id -> id > min).sorted().toList();
            assertThat(kept).extracting(QueuedMessage::id).as("%s: every reported message not acknowledged by both", uid)
                    .containsAll(owed);
            for (QueuedMessage m : kept) {
                Integer index = enqueued.get(uid).get(m.id());
                if (index != null) {
                    assertThat(QueueChild.index(m.payload())).isEqualTo(index);
                }
            }
            assertThat(q.read(uid, b, 100_000)).extracting(QueuedMessage::id).as("%s: b reads its rest", uid)
                    .containsAll(enqueued.get(uid).keySet().stream().filter(id -> id > b).toList());
            if (exact) {
                assertThat(kept).as("%s: nothing both devices acknowledged", uid).allMatch(m -> m.id() > min);
                assertThat(kept.size() - owed.size()).as("%s: at most the one message whose report the kill cut", uid)
                        .isLessThanOrEqualTo(1);
            }
        }
    }

    private void killMidStream(int start, int killAfter, TreeSet<Integer> reported) throws Exception {
        List<String> flags = new ArrayList<>(ChildJvm.moduleFlags());
        // snapshots every 1,500 records, so kills also land during snapshot writes and recovery uses snapshot + replay
        flags.add("-Dtok.child.settings=snapshot-every=1500,sweep-interval=20ms");
        try (ChildJvm child = ChildJvm.start(logs.resolve("child-" + start + ".err"), flags, "enqueue", dir.toString(),
                "1000000", String.valueOf(USERS), String.valueOf(start))) {
            assertThat(child.readUntil("READY"::equals, 10)).as("child started; see " + logs).isEqualTo("READY");
            String last = child.readUntil(l -> l.equals("ENQ " + (start + killAfter)), killAfter + 10);
            assertThat(last).as("child reached %d enqueues", killAfter).isNotNull();
            child.kill();
            child.drain(); // lines the child printed before it died
            for (String line : child.lines) {
                if (line.startsWith("ENQ ")) {
                    reported.add(Integer.parseInt(line.substring(4)));
                }
            }
            assertThat(child.lines).as("killed mid-stream").doesNotContain("DONE");
        }
    }
}
