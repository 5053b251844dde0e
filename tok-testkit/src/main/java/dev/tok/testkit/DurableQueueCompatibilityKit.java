package dev.tok.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.api.QueuedMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility kit for queues that keep their messages across a close and a reopen (a
 * process restart): everything {@link QueueCompatibilityKit} checks, plus that messages survive
 * in order with their ids and expiry, that acknowledged ones do not come back, that ids keep
 * increasing, and that peeked but unacknowledged messages are not lost. For at-least-once
 * delivery it checks that device cursors survive a reopen (also a user's whose messages are all
 * gone), that a device registered before the reopen still keeps the user's messages, and that the
 * ids {@code enqueue} returns keep increasing across reopens. Crashes ({@code kill -9}) need a
 * child process and are the implementation's own tests.
 *
 * <p>Implement {@link #openQueue(Path, Map)}; the kit gives each queue its own directory and
 * reopens a queue by calling it again with the same directory and settings:
 *
 * <!-- sample: TestkitJavadocSamples.java#durable-queue-kit -->
 * <pre>{@code
 * class MyDurableQueueCompatibilityTest extends DurableQueueCompatibilityKit {
 *     @Override
 *     protected Queue openQueue(Path directory, Map<String, String> settings) {
 *         Map<String, String> s = new HashMap<>(settings);
 *         s.put("path", directory.toString());
 *         return open("my-queue", s);
 *     }
 * }
 * }</pre>
 *
 * @since 0.1
 */
public abstract class DurableQueueCompatibilityKit extends QueueCompatibilityKit {

    @TempDir
    Path kitDirectory;

    private int queues;
    private Path lastDirectory;
    private Map<String, String> lastSettings;

    /**
     * Opens the queue stored in {@code directory}, creating it when the directory is empty.
     *
     * @param directory an existing directory, owned by this queue; empty on the first open, the
     *                  same directory with what a closed queue left there on a reopen
     * @param settings  provider settings on top of the defaults, as for
     *                  {@link #createQueue(Map)}; the same map again on a reopen
     * @return the open queue
     */
    protected abstract Queue openQueue(Path directory, Map<String, String> settings);

    /** Opens a queue in a new, empty directory. */
    @Override
    protected final Queue createQueue(Map<String, String> settings) {
        Path dir = kitDirectory.resolve("queue-" + (++queues));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lastDirectory = dir;
        lastSettings = Map.copyOf(settings);
        return openQueue(dir, settings);
    }

    /**
     * Closes {@code previous} and opens the queue again over the same directory with the same
     * settings (those of the latest {@link #newQueue}); the new one is closed after the test.
     *
     * @param previous the open queue, closed here
     * @return the reopened queue
     */
    protected final Queue reopen(Queue previous) {
        assertThat(lastDirectory).as("reopen() needs a queue opened with newQueue() first").isNotNull();
        previous.close();
        Queue q = openQueue(lastDirectory, lastSettings);
        assertThat(q).as("openQueue(%s) on reopen", lastDirectory).isNotNull();
        return closeAfterTest(q);
    }

    @Test
    @DisplayName("messages survive close and reopen, in order, with their ids, payloads and expiry")
    void messagesSurviveReopen() {
        Queue q = newQueue();
        Instant e0 = in(LONG_TTL);
        Instant e1 = in(LONG_TTL.plusMinutes(1));
        q.enqueue("alice", bytes("a0"), e0);
        q.enqueue("bob", bytes("b0"), e0);
        q.enqueue("alice", bytes("a1"), e1);
        q.enqueue("alice", bytes("a2"), e0);
        List<QueuedMessage> before = all(q, "alice");

        Queue r = reopen(q);
        List<QueuedMessage> after = all(r, "alice");
        assertThat(texts(after)).containsExactly("a0", "a1", "a2");
        assertThat(after).extracting(QueuedMessage::id).containsExactlyElementsOf(before.stream().map(QueuedMessage::id).toList());
        assertThat(after).extracting(QueuedMessage::expiresAt).containsExactly(e0, e1, e0);
        assertThat(texts(all(r, "bob"))).containsExactly("b0");
        assertThat(r.size("alice")).isEqualTo(3);
        assertThat(r.size("bob")).isEqualTo(1);
    }

    @Test
    @DisplayName("payload bytes survive reopen exactly, including empty payloads")
    void payloadsSurviveReopen() {
        Queue q = newQueue();
        byte[] everyByte = new byte[256];
        for (int i = 0; i < 256; i++) {
            everyByte[i] = (byte) i;
        }
        byte[] large = new byte[128 * 1024];
        new Random(11).nextBytes(large);
        byte[][] payloads = {new byte[0], everyByte, large, new byte[0], {42}};
        for (byte[] p : payloads) {
            q.enqueue("alice", p.clone(), in(LONG_TTL));
        }
        List<QueuedMessage> after = all(reopen(q), "alice");
        assertThat(after).hasSize(payloads.length);
        for (int i = 0; i < payloads.length; i++) {
            assertThat(after.get(i).payload()).as("payload %d", i).isEqualTo(payloads[i]);
        }
    }

    @Test
    @DisplayName("acknowledged messages do not come back after reopen")
    void acknowledgedStayGone() {
        Queue q = newQueue();
        for (int i = 0; i < 5; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        q.enqueue("bob", bytes("b0"), in(LONG_TTL));
        q.acknowledge("alice", all(q, "alice").get(2).id());
        q.acknowledge("bob", lastId(q, "bob"));

        Queue r = reopen(q);
        assertThat(texts(all(r, "alice"))).containsExactly("m3", "m4");
        assertThat(r.size("bob")).isZero();

        r.acknowledge("alice", all(r, "alice").get(0).id());
        Queue r2 = reopen(r);
        assertThat(texts(all(r2, "alice"))).containsExactly("m4");
    }

    @Test
    @DisplayName("peeked but unacknowledged messages survive reopen (a crash between write and acknowledge loses nothing)")
    void peekedUnacknowledgedSurvive() {
        Queue q = newQueue();
        q.enqueue("alice", bytes("m0"), in(LONG_TTL));
        q.enqueue("alice", bytes("m1"), in(LONG_TTL));
        assertThat(q.peek("alice", 2)).hasSize(2);
        assertThat(texts(all(reopen(q), "alice"))).containsExactly("m0", "m1");
    }

    @Test
    @DisplayName("ids keep increasing across reopen, even after everything was acknowledged")
    void idsIncreaseAcrossReopen() {
        Queue q = newQueue();
        q.enqueue("alice", bytes("old-0"), in(LONG_TTL));
        q.enqueue("alice", bytes("old-1"), in(LONG_TTL));
        long oldId = lastId(q, "alice");
        q.acknowledge("alice", oldId);

        Queue r = reopen(q);
        r.enqueue("alice", bytes("new"), in(LONG_TTL));
        assertThat(lastId(r, "alice")).isGreaterThan(oldId);
        r.acknowledge("alice", oldId);
        assertThat(texts(all(r, "alice"))).containsExactly("new");
    }

    @Test
    @DisplayName("messages that expired while the queue was closed are gone after reopen")
    void expiredWhileClosed() {
        Queue q = newQueue();
        Instant shortExpiry = in(SHORT_TTL);
        q.enqueue("alice", bytes("keep-0"), in(LONG_TTL));
        q.enqueue("alice", bytes("expire"), shortExpiry);
        q.enqueue("alice", bytes("keep-1"), in(LONG_TTL));
        q.enqueue("bob", bytes("expire"), shortExpiry);
        q.close();
        await().atMost(patience()).until(() -> Instant.now().isAfter(shortExpiry));

        Queue r = reopen(q);
        assertThat(texts(all(r, "alice"))).containsExactly("keep-0", "keep-1");
        assertThat(r.size("alice")).isEqualTo(2);
        assertThat(r.size("bob")).isZero();
    }

    @Test
    @DisplayName("messages keep their expiry after reopen and expire on time")
    void expireAfterReopen() {
        Queue q = newQueue();
        Instant expiry = in(Duration.ofSeconds(1));
        q.enqueue("alice", bytes("expire"), expiry);
        q.enqueue("alice", bytes("keep"), in(LONG_TTL));
        Queue r = reopen(q);
        await().atMost(patience()).until(() -> Instant.now().isAfter(expiry));
        assertThat(texts(all(r, "alice"))).containsExactly("keep");
        assertThat(r.size("alice")).isEqualTo(1);
    }

    @Test
    @DisplayName("many users and repeated reopen cycles keep every message in order")
    void repeatedReopenCycles() {
        Queue q = newQueue();
        int users = 30;
        List<List<String>> expected = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            expected.add(new ArrayList<>());
        }
        for (int cycle = 0; cycle < 4; cycle++) {
            for (int u = 0; u < users; u++) {
                for (int i = 0; i < 5; i++) {
                    String text = "c" + cycle + "-m" + i;
                    q.enqueue("user-" + u, bytes(text), in(LONG_TTL));
                    expected.get(u).add(text);
                }
            }
            // deliver the first two messages of every even user
            for (int u = 0; u < users; u += 2) {
                List<QueuedMessage> head = q.peek("user-" + u, 2);
                q.acknowledge("user-" + u, head.get(head.size() - 1).id());
                expected.get(u).subList(0, head.size()).clear();
            }
            q = reopen(q);
            for (int u = 0; u < users; u++) {
                assertThat(texts(all(q, "user-" + u))).as("user-%d after cycle %d", u, cycle).containsExactlyElementsOf(expected.get(u));
            }
        }
    }

    @Test
    @DisplayName("the per-user bound counts the messages found on reopen")
    void boundHoldsAcrossReopen() {
        Assumptions.assumeTrue(supportsMaxMessagesPerUser(), "this queue has no per-user message bound (opted out)");
        Queue q = newQueue(maxMessagesPerUserSettings(3));
        for (int i = 0; i < 3; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        Queue r = reopen(q);
        assertThatThrownBy(() -> r.enqueue("alice", bytes("overflow"), in(LONG_TTL))).isInstanceOf(QueueFullException.class);
        r.acknowledge("alice", all(r, "alice").get(0).id());
        r.enqueue("alice", bytes("m3"), in(LONG_TTL));
        assertThat(texts(all(r, "alice"))).containsExactly("m1", "m2", "m3");
    }

    // ---------------------------------------------------------------- at-least-once: ids and cursors

    private static List<Long> readIds(Queue q, String uid, long afterId) {
        return q.read(uid, afterId, 1000).stream().map(QueuedMessage::id).toList();
    }

    @Test
    @DisplayName("ids returned by enqueue keep increasing across reopens, also after every message was acknowledged by every device")
    void returnedIdsIncreaseAcrossReopen() {
        Queue q = newQueue();
        Device phone = Device.of("alice", "phone");
        long first = q.enqueue("alice", bytes("a0"), in(LONG_TTL));
        long second = q.enqueue("alice", bytes("a1"), in(LONG_TTL));
        assertThat(first).isPositive();
        assertThat(second).isGreaterThan(first);
        q.cursor(phone);
        q.acknowledge(phone, second);
        assertThat(q.size("alice")).isZero();

        Queue r = reopen(q);
        long third = r.enqueue("alice", bytes("a2"), in(LONG_TTL));
        assertThat(third).as("first id after a reopen").isGreaterThan(second);
        Queue r2 = reopen(r);
        long fourth = r2.enqueue("alice", bytes("a3"), in(LONG_TTL));
        assertThat(fourth).as("first id after a second reopen").isGreaterThan(third);
        assertThat(readIds(r2, "alice", second)).containsExactly(third, fourth);
    }

    @Test
    @DisplayName("device cursors survive reopen: each device reads its own rest, messages every device acknowledged stay removed")
    void cursorsSurviveReopen() {
        Queue q = newQueue();
        Device phone = Device.of("alice", "phone");
        Device laptop = Device.of("alice", "laptop");
        assertThat(q.cursor(phone)).isZero();
        assertThat(q.cursor(laptop)).isZero();
        List<Long> ids = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            ids.add(q.enqueue("alice", bytes("m" + i), in(LONG_TTL)));
        }
        q.acknowledge(phone, ids.get(2)); // m3
        q.acknowledge(laptop, ids.get(4)); // m5
        q.acknowledge(laptop, ids.get(1)); // backwards: ignored

        Queue r = reopen(q);
        assertThat(r.cursor(phone)).isEqualTo(ids.get(2));
        assertThat(r.cursor(laptop)).isEqualTo(ids.get(4));
        assertThat(texts(r.read("alice", r.cursor(phone), 100))).containsExactly("m4", "m5", "m6", "m7", "m8");
        assertThat(texts(r.read("alice", r.cursor(laptop), 100))).containsExactly("m6", "m7", "m8");
        assertThat(readIds(r, "alice", 0)).as("m1..m3 were acknowledged by both devices").containsExactlyElementsOf(ids.subList(3, 8));
        assertThat(r.size("alice")).isEqualTo(5);

        r.acknowledge(phone, ids.get(6)); // m7: now the laptop (m5) is the slowest
        Queue r2 = reopen(r);
        assertThat(r2.cursor(phone)).isEqualTo(ids.get(6));
        assertThat(texts(r2.read("alice", 0, 100))).containsExactly("m6", "m7", "m8");
        assertThat(texts(r2.read("alice", r2.cursor(phone), 100))).containsExactly("m8");
    }

    @Test
    @DisplayName("a device registered before a reopen (cursor 0) still keeps the user's messages after it")
    void registeredDevicePinsAcrossReopen() {
        Queue q = newQueue();
        Device phone = Device.of("bob", "phone");
        Device tablet = Device.of("bob", "tablet");
        q.cursor(phone);
        assertThat(q.cursor(tablet)).isZero();

        Queue r = reopen(q);
        long a = r.enqueue("bob", bytes("b1"), in(LONG_TTL));
        long b = r.enqueue("bob", bytes("b2"), in(LONG_TTL));
        r.acknowledge(phone, b);
        assertThat(texts(r.read("bob", 0, 100))).as("kept for the tablet").containsExactly("b1", "b2");

        Queue r2 = reopen(r);
        assertThat(r2.cursor(tablet)).isZero();
        assertThat(texts(r2.read("bob", r2.cursor(tablet), 100))).containsExactly("b1", "b2");
        r2.acknowledge(tablet, a);
        assertThat(texts(r2.read("bob", 0, 100))).containsExactly("b2");
        r2.acknowledge(tablet, b);
        assertThat(r2.size("bob")).isZero();
    }

    @Test
    @DisplayName("cursors of a user whose messages are all gone survive reopen: a device that lags later is not forgotten")
    void cursorsOfEmptyUserSurviveReopen() {
        Queue q = newQueue();
        Device phone = Device.of("carol", "phone");
        Device laptop = Device.of("carol", "laptop");
        long m1 = q.enqueue("carol", bytes("c1"), in(LONG_TTL));
        q.acknowledge(phone, m1);
        q.acknowledge(laptop, m1);
        assertThat(q.size("carol")).isZero();

        Queue r = reopen(q);
        assertThat(r.cursor(phone)).isEqualTo(m1);
        assertThat(r.cursor(laptop)).isEqualTo(m1);
        long m2 = r.enqueue("carol", bytes("c2"), in(LONG_TTL));
        r.acknowledge(phone, m2);
        assertThat(texts(r.read("carol", r.cursor(laptop), 100))).as("the laptop has not acknowledged c2").containsExactly("c2");

        Queue r2 = reopen(r);
        assertThat(texts(r2.read("carol", r2.cursor(laptop), 100))).containsExactly("c2");
        assertThat(r2.cursor(phone)).isEqualTo(m2);
    }

    @Test
    @DisplayName("cursors of many users and devices survive repeated reopens, and only fully acknowledged messages go")
    void manyCursorsAcrossReopenCycles() {
        Queue q = newQueue();
        int users = 20;
        String[] devices = {"a", "b", "c"};
        for (int cycle = 0; cycle < 3; cycle++) {
            for (int u = 0; u < users; u++) {
                String uid = "user-" + u;
                for (String d : devices) {
                    q.cursor(Device.of(uid, d)); // registers all three before anything is acknowledged
                }
                for (int i = 0; i < 4; i++) {
                    q.enqueue(uid, bytes("c" + cycle + "-m" + i), in(LONG_TTL));
                }
                List<QueuedMessage> kept = q.read(uid, 0, 1000);
                // device a takes everything, b half of it, c only on even users
                q.acknowledge(Device.of(uid, "a"), kept.get(kept.size() - 1).id());
                q.acknowledge(Device.of(uid, "b"), kept.get(kept.size() / 2).id());
                if (u % 2 == 0) {
                    q.acknowledge(Device.of(uid, "c"), kept.get(kept.size() - 1).id());
                }
            }
            Map<String, List<Long>> cursorsBefore = new java.util.HashMap<>();
            Map<String, List<Long>> keptBefore = new java.util.HashMap<>();
            for (int u = 0; u < users; u++) {
                String uid = "user-" + u;
                List<Long> cs = new ArrayList<>();
                for (String d : devices) {
                    cs.add(q.cursor(Device.of(uid, d)));
                }
                cursorsBefore.put(uid, cs);
                keptBefore.put(uid, readIds(q, uid, 0));
            }
            q = reopen(q);
            for (int u = 0; u < users; u++) {
                String uid = "user-" + u;
                List<Long> cs = new ArrayList<>();
                for (String d : devices) {
                    cs.add(q.cursor(Device.of(uid, d)));
                }
                assertThat(cs).as("cursors of %s after cycle %d", uid, cycle).isEqualTo(cursorsBefore.get(uid));
                assertThat(readIds(q, uid, 0)).as("messages kept for %s after cycle %d", uid, cycle).isEqualTo(keptBefore.get(uid));
                long min = cs.stream().mapToLong(Long::longValue).min().orElseThrow();
                assertThat(readIds(q, uid, 0)).as("%s keeps exactly what some device has not acknowledged", uid)
                        .allMatch(id -> id > min);
            }
        }
    }
}
