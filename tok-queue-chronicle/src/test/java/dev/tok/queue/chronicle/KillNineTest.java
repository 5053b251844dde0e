package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.QueuedMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM enqueues and reports each enqueue that returned; it is SIGKILLed mid-stream
 * (twice, the second time after appending to the recovered directory), and every reported
 * message must be there, in order per user, exactly once.
 */
class KillNineTest {

    private static final int USERS = 7;

    @TempDir
    Path dir;
    @TempDir
    Path logs;

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
