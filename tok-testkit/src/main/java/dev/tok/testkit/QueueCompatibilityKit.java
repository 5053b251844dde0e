package dev.tok.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.api.QueuedMessage;
import dev.tok.api.TokException;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compatibility kit every {@link Queue} implementation must pass, built-in or third-party.
 *
 * <p>Extend it, implement {@link #createQueue(Map)}, and run it with JUnit 5:
 *
 * <!-- sample: TestkitJavadocSamples.java#queue-kit -->
 * <pre>{@code
 * class MyQueueCompatibilityTest extends QueueCompatibilityKit {
 *     @Override
 *     protected Queue createQueue(Map<String, String> settings) {
 *         return open("my-queue", settings);   // found through ServiceLoader by name
 *     }
 * }
 * }</pre>
 *
 * <p>What is checked: FIFO order per user, isolation between users, increasing ids, TTL expiry
 * (an expired message is never peeked and never counted), {@code peek} does not remove,
 * {@code acknowledge} is cumulative and idempotent, an unacknowledged message keeps its place and
 * its expiry (the "dequeue only after the write succeeded" guarantee), bounds, concurrent use
 * from many threads with every message accounted for exactly once, exact payload round-trip
 * (including empty payloads), null rejection, and {@code close}.
 *
 * <p><b>Bounds.</b> The kit asks for the settings that put a small bound on the queue through
 * {@link #maxMessagesPerUserSettings(int)} and {@link #maxTotalBytesSettings(long)}; by default
 * they use the built-in keys {@code max-messages-per-user} and {@code max-total-bytes}. A queue
 * without one of these bounds overrides {@link #supportsMaxMessagesPerUser()} or
 * {@link #supportsMaxTotalBytes()} to return {@code false}: those tests are then reported as
 * skipped, not passed. The byte bound may count bookkeeping on top of payload bytes, so the kit
 * only requires that a queue refuses before the stored payload bytes exceed the bound and
 * accepts at least a quarter of it.
 *
 * <p><b>Time.</b> Expiry is checked with short time-to-lives and Awaitility conditions; no
 * assertion depends on how fast the machine is. Expiry instants are whole milliseconds and must
 * come back from {@link Queue#peek} equal to what was enqueued.
 *
 * <p>Every queue the kit opens through {@link #newQueue(Map)} is closed after each test.
 *
 * @since 0.1
 */
public abstract class QueueCompatibilityKit {

    /** A time-to-live no test outlives. */
    protected static final Duration LONG_TTL = Duration.ofHours(1);

    /** A time-to-live the expiry tests wait out. */
    protected static final Duration SHORT_TTL = Duration.ofMillis(300);


    private final List<Queue> opened = new ArrayList<>();

    /**
     * Opens a new, empty queue. Called once or more per test; every call must return a queue
     * that shares no messages with queues returned to earlier tests.
     *
     * @param settings provider settings to apply on top of the defaults; empty for the defaults.
     *                 Only the maps returned by {@link #maxMessagesPerUserSettings(int)} and
     *                 {@link #maxTotalBytesSettings(long)} are passed besides the empty one
     * @return an open queue
     */
    protected abstract Queue createQueue(Map<String, String> settings);

    /**
     * The settings that bound a queue to {@code max} messages per user.
     *
     * @param max the bound the kit wants, small (at most a few hundred)
     * @return settings for {@link #createQueue(Map)}; by default {@code max-messages-per-user}
     */
    protected Map<String, String> maxMessagesPerUserSettings(int max) {
        return Map.of("max-messages-per-user", Integer.toString(max));
    }

    /**
     * The settings that bound a queue to {@code bytes} bytes in total, across all users.
     *
     * @param bytes the bound the kit wants, small (at most a few hundred KiB)
     * @return settings for {@link #createQueue(Map)}; by default {@code max-total-bytes}
     */
    protected Map<String, String> maxTotalBytesSettings(long bytes) {
        return Map.of("max-total-bytes", Long.toString(bytes));
    }

    /**
     * How long a condition (an expiry being observed, bytes being released) may take before the
     * test fails. Generous by default, so slow machines do not fail; a queue that only sweeps
     * expired messages periodically must sweep within it.
     *
     * @return 20 seconds by default
     */
    protected Duration patience() {
        return Duration.ofSeconds(20);
    }

    /**
     * Opt-out for queues without a per-user message bound.
     *
     * @return {@code false} to skip the per-user bound tests; {@code true} by default
     */
    protected boolean supportsMaxMessagesPerUser() {
        return true;
    }

    /**
     * Opt-out for queues without a total byte bound.
     *
     * @return {@code false} to skip the total-bytes bound tests; {@code true} by default
     */
    protected boolean supportsMaxTotalBytes() {
        return true;
    }

    /**
     * Opens a queue through {@link ServiceLoader} by provider name, the way an application
     * does: unknown setting keys are rejected before the provider sees them. A convenience for
     * {@link #createQueue(Map)}.
     *
     * @param providerName the {@link QueueProvider#name()}
     * @param settings     its settings
     * @return the open queue
     */
    protected static Queue open(String providerName, Map<String, String> settings) {
        return open(provider(providerName), settings);
    }

    /**
     * Opens a queue from a provider instance, validating the settings keys first.
     *
     * @param provider the provider
     * @param settings its settings
     * @return the open queue
     */
    protected static Queue open(QueueProvider provider, Map<String, String> settings) {
        Settings s = Settings.of("queue '" + provider.name() + "'", settings);
        s.requireKnown(provider.settingNames());
        return provider.create(s);
    }

    /**
     * Finds a queue provider by name with {@link ServiceLoader}.
     *
     * @param name the provider's name
     * @return the provider
     * @throws AssertionError listing the names found when none matches
     */
    protected static QueueProvider provider(String name) {
        Set<String> found = new TreeSet<>();
        for (QueueProvider p : ServiceLoader.load(QueueProvider.class, QueueCompatibilityKit.class.getClassLoader())) {
            if (p.name().equals(name)) {
                return p;
            }
            found.add(p.name());
        }
        throw new AssertionError("no QueueProvider named '" + name + "' on the class or module path; found " + found);
    }

    /**
     * Opens a queue with {@link #createQueue(Map)} and closes it after the test.
     *
     * @param settings the settings
     * @return the queue
     */
    protected final Queue newQueue(Map<String, String> settings) {
        Queue q = createQueue(settings);
        assertThat(q).as("createQueue(%s)", settings).isNotNull();
        opened.add(q);
        return q;
    }

    /** @return a queue with default settings, closed after the test */
    protected final Queue newQueue() {
        return newQueue(Map.of());
    }

    /**
     * Lets subclasses register a queue they opened themselves for closing after the test.
     *
     * @param q the queue
     * @return {@code q}
     */
    protected final Queue closeAfterTest(Queue q) {
        opened.add(q);
        return q;
    }

    @AfterEach
    final void closeOpenedQueues() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }

    // ---------------------------------------------------------------- helpers

    /** @return an instant {@code ttl} from now, whole milliseconds */
    protected static Instant in(Duration ttl) {
        return Instant.now().plus(ttl).truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * @param s text
     * @return its UTF-8 bytes
     */
    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param messages peeked messages
     * @return their payloads as UTF-8 strings
     */
    protected static List<String> texts(List<QueuedMessage> messages) {
        List<String> out = new ArrayList<>(messages.size());
        for (QueuedMessage m : messages) {
            out.add(new String(m.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * @param q   a queue
     * @param uid a user
     * @return every waiting message of the user (peeks up to 100 000)
     */
    protected static List<QueuedMessage> all(Queue q, String uid) {
        return q.peek(uid, 100_000);
    }

    /**
     * @param q   a queue
     * @param uid a user
     * @return the id of the newest waiting message
     */
    protected static long lastId(Queue q, String uid) {
        List<QueuedMessage> m = all(q, uid);
        assertThat(m).as("messages of %s", uid).isNotEmpty();
        return m.get(m.size() - 1).id();
    }

    // ---------------------------------------------------------------- order and isolation

    @Test
    @DisplayName("messages of one user come back oldest first")
    void fifoPerUser() {
        Queue q = newQueue();
        for (int i = 0; i < 50; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add("m" + i);
        }
        assertThat(texts(q.peek("alice", 1000))).containsExactlyElementsOf(expected);
        assertThat(q.size("alice")).isEqualTo(50);
    }

    @Test
    @DisplayName("peek returns at most max messages, the oldest ones")
    void peekHonoursMax() {
        Queue q = newQueue();
        for (int i = 0; i < 10; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        assertThat(texts(q.peek("alice", 3))).containsExactly("m0", "m1", "m2");
        assertThat(texts(q.peek("alice", 1))).containsExactly("m0");
    }

    @Test
    @DisplayName("ids increase in enqueue order within a user")
    void idsIncrease() {
        Queue q = newQueue();
        for (int i = 0; i < 20; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        List<QueuedMessage> m = all(q, "alice");
        for (int i = 1; i < m.size(); i++) {
            assertThat(m.get(i).id()).as("id of message %d", i).isGreaterThan(m.get(i - 1).id());
        }
    }

    @Test
    @DisplayName("ids keep increasing after a user's queue was emptied, so a stale acknowledge cannot remove a new message")
    void idsIncreaseAfterEmptying() {
        Queue q = newQueue();
        q.enqueue("alice", bytes("old"), in(LONG_TTL));
        long oldId = lastId(q, "alice");
        q.acknowledge("alice", oldId);
        assertThat(q.size("alice")).isZero();

        q.enqueue("alice", bytes("new"), in(LONG_TTL));
        assertThat(lastId(q, "alice")).isGreaterThan(oldId);
        q.acknowledge("alice", oldId);
        assertThat(texts(all(q, "alice"))).containsExactly("new");
    }

    @Test
    @DisplayName("users are isolated: messages, sizes and acknowledgements of one never touch another")
    void usersAreIsolated() {
        Queue q = newQueue();
        q.enqueue("alice", bytes("a1"), in(LONG_TTL));
        q.enqueue("bob", bytes("b1"), in(LONG_TTL));
        q.enqueue("alice", bytes("a2"), in(LONG_TTL));
        q.enqueue("bob", bytes("b2"), in(LONG_TTL));
        q.enqueue("bob", bytes("b3"), in(LONG_TTL));

        assertThat(texts(all(q, "alice"))).containsExactly("a1", "a2");
        assertThat(texts(all(q, "bob"))).containsExactly("b1", "b2", "b3");
        assertThat(q.size("alice")).isEqualTo(2);
        assertThat(q.size("bob")).isEqualTo(3);

        q.acknowledge("alice", Long.MAX_VALUE);
        assertThat(q.size("alice")).isZero();
        assertThat(texts(all(q, "bob"))).containsExactly("b1", "b2", "b3");
    }

    @Test
    @DisplayName("a user who never got a message has an empty queue")
    void unknownUser() {
        Queue q = newQueue();
        assertThat(q.peek("nobody", 10)).isEmpty();
        assertThat(q.size("nobody")).isZero();
        assertThatCode(() -> q.acknowledge("nobody", 42)).doesNotThrowAnyException();
        assertThat(q.size("nobody")).isZero();
    }

    @Test
    @DisplayName("user ids are compared as strings, exactly")
    void uidsAreExactStrings() {
        Queue q = newQueue();
        q.enqueue("1", bytes("one"), in(LONG_TTL));
        q.enqueue("01", bytes("zero-one"), in(LONG_TTL));
        q.enqueue("Ünïcødé 用户", bytes("unicode"), in(LONG_TTL));
        assertThat(texts(all(q, "1"))).containsExactly("one");
        assertThat(texts(all(q, "01"))).containsExactly("zero-one");
        assertThat(texts(all(q, "Ünïcødé 用户"))).containsExactly("unicode");
        assertThat(q.size("")).isZero();
    }

    // ---------------------------------------------------------------- peek and acknowledge

    @Test
    @DisplayName("peek does not remove anything")
    void peekDoesNotRemove() {
        Queue q = newQueue();
        q.enqueue("alice", bytes("a"), in(LONG_TTL));
        q.enqueue("alice", bytes("b"), in(LONG_TTL));
        List<QueuedMessage> first = all(q, "alice");
        List<QueuedMessage> second = all(q, "alice");
        assertThat(second).hasSize(2);
        assertThat(second.get(0).id()).isEqualTo(first.get(0).id());
        assertThat(second.get(1).id()).isEqualTo(first.get(1).id());
        assertThat(q.size("alice")).isEqualTo(2);
    }

    @Test
    @DisplayName("acknowledge removes every message up to and including the given id")
    void acknowledgeIsCumulative() {
        Queue q = newQueue();
        for (int i = 0; i < 5; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        List<QueuedMessage> m = all(q, "alice");
        q.acknowledge("alice", m.get(2).id());
        assertThat(texts(all(q, "alice"))).containsExactly("m3", "m4");
        assertThat(q.size("alice")).isEqualTo(2);
    }

    @Test
    @DisplayName("acknowledging the same or an older id again changes nothing")
    void acknowledgeIsIdempotent() {
        Queue q = newQueue();
        for (int i = 0; i < 4; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        List<QueuedMessage> m = all(q, "alice");
        q.acknowledge("alice", m.get(1).id());
        q.acknowledge("alice", m.get(1).id());
        q.acknowledge("alice", m.get(0).id());
        assertThat(texts(all(q, "alice"))).containsExactly("m2", "m3");
        q.acknowledge("alice", m.get(3).id());
        q.acknowledge("alice", m.get(3).id());
        assertThat(all(q, "alice")).isEmpty();
        assertThat(q.size("alice")).isZero();
    }

    @Test
    @DisplayName("acknowledge does not remove messages enqueued after the peek")
    void acknowledgeSparesLaterMessages() {
        Queue q = newQueue();
        q.enqueue("alice", bytes("m0"), in(LONG_TTL));
        q.enqueue("alice", bytes("m1"), in(LONG_TTL));
        List<QueuedMessage> peeked = all(q, "alice");
        q.enqueue("alice", bytes("m2"), in(LONG_TTL));
        q.acknowledge("alice", peeked.get(peeked.size() - 1).id());
        assertThat(texts(all(q, "alice"))).containsExactly("m2");
    }

    @Test
    @DisplayName("an unacknowledged message keeps its place and its expiry (dequeue only after the write)")
    void unacknowledgedKeepsPlaceAndExpiry() {
        Queue q = newQueue();
        Instant e0 = in(LONG_TTL);
        Instant e1 = in(LONG_TTL.plusMinutes(1));
        q.enqueue("alice", bytes("m0"), e0);
        q.enqueue("alice", bytes("m1"), e1);

        List<QueuedMessage> attempt1 = q.peek("alice", 2);
        // the write of attempt1 failed: nothing is acknowledged; meanwhile a newer message arrives
        q.enqueue("alice", bytes("m2"), in(LONG_TTL));
        List<QueuedMessage> attempt2 = all(q, "alice");

        assertThat(texts(attempt2)).containsExactly("m0", "m1", "m2");
        assertThat(attempt2.get(0).id()).isEqualTo(attempt1.get(0).id());
        assertThat(attempt2.get(0).expiresAt()).isEqualTo(e0);
        assertThat(attempt2.get(1).expiresAt()).isEqualTo(e1);

        // a partial write: only m0 went out
        q.acknowledge("alice", attempt2.get(0).id());
        List<QueuedMessage> attempt3 = all(q, "alice");
        assertThat(texts(attempt3)).containsExactly("m1", "m2");
        assertThat(attempt3.get(0).expiresAt()).isEqualTo(e1);
    }

    @Test
    @DisplayName("peek rejects a non-positive max")
    void peekRejectsNonPositiveMax() {
        Queue q = newQueue();
        q.enqueue("alice", bytes("m"), in(LONG_TTL));
        assertThatThrownBy(() -> q.peek("alice", 0)).isInstanceOfAny(IllegalArgumentException.class, TokException.class);
        assertThat(q.size("alice")).isEqualTo(1);
    }

    @Test
    @DisplayName("null arguments are rejected with NullPointerException and store nothing")
    void rejectsNulls() {
        Queue q = newQueue();
        assertThatThrownBy(() -> q.enqueue(null, bytes("x"), in(LONG_TTL))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> q.enqueue("alice", null, in(LONG_TTL))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> q.enqueue("alice", bytes("x"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> q.peek(null, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> q.size(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> q.acknowledge((String) null, 1)).isInstanceOf(NullPointerException.class);
        assertThat(q.size("alice")).isZero();
    }

    // ---------------------------------------------------------------- payloads

    @Test
    @DisplayName("payload bytes come back exactly, including empty payloads and every byte value")
    void payloadRoundTrip() {
        Queue q = newQueue();
        byte[] everyByte = new byte[256];
        for (int i = 0; i < 256; i++) {
            everyByte[i] = (byte) i;
        }
        byte[] large = new byte[256 * 1024];
        new Random(7).nextBytes(large);
        byte[][] payloads = {new byte[0], {0}, {(byte) 0xFF}, everyByte, large, new byte[0]};
        for (byte[] p : payloads) {
            q.enqueue("alice", p.clone(), in(LONG_TTL));
        }
        List<QueuedMessage> m = all(q, "alice");
        assertThat(m).hasSize(payloads.length);
        for (int i = 0; i < payloads.length; i++) {
            assertThat(m.get(i).payload()).as("payload %d", i).isEqualTo(payloads[i]);
        }
        assertThat(q.size("alice")).isEqualTo(payloads.length);
    }

    // ---------------------------------------------------------------- expiry

    @Test
    @DisplayName("an expired message is never peeked nor counted, the others keep their order")
    void expiredMessagesVanish() {
        Queue q = newQueue();
        Instant shortExpiry = in(SHORT_TTL);
        q.enqueue("alice", bytes("keep-1"), in(LONG_TTL));
        q.enqueue("alice", bytes("expire"), shortExpiry);
        q.enqueue("alice", bytes("keep-2"), in(LONG_TTL));
        q.enqueue("bob", bytes("expire"), shortExpiry);

        await().atMost(patience()).until(() -> Instant.now().isAfter(shortExpiry));

        assertThat(texts(all(q, "alice"))).containsExactly("keep-1", "keep-2");
        assertThat(q.size("alice")).isEqualTo(2);
        assertThat(q.size("bob")).isZero();
        assertThat(q.peek("bob", 10)).isEmpty();
    }

    @Test
    @DisplayName("an expired message at the head does not hide the ones behind it from peek(max)")
    void expiredHeadSkipped() {
        Queue q = newQueue();
        Instant shortExpiry = in(SHORT_TTL);
        for (int i = 0; i < 5; i++) {
            q.enqueue("alice", bytes("expire" + i), shortExpiry);
        }
        q.enqueue("alice", bytes("keep-1"), in(LONG_TTL));
        q.enqueue("alice", bytes("keep-2"), in(LONG_TTL));
        await().atMost(patience()).until(() -> Instant.now().isAfter(shortExpiry));
        assertThat(texts(q.peek("alice", 2))).containsExactly("keep-1", "keep-2");
    }

    @Test
    @DisplayName("expiry is eventually observed without touching the user, and the queue stays usable")
    void expiryWithoutAccess() {
        Queue q = newQueue();
        for (int i = 0; i < 20; i++) {
            q.enqueue("user-" + i, bytes("short"), in(SHORT_TTL));
        }
        await().atMost(patience()).until(() -> {
            for (int i = 0; i < 20; i++) {
                if (q.size("user-" + i) != 0) {
                    return false;
                }
            }
            return true;
        });
        q.enqueue("user-3", bytes("again"), in(LONG_TTL));
        assertThat(texts(all(q, "user-3"))).containsExactly("again");
    }

    @Test
    @DisplayName("a message enqueued already expired is accepted and never seen")
    void enqueueAlreadyExpired() {
        Queue q = newQueue();
        assertThatCode(() -> q.enqueue("alice", bytes("late"), Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.MILLIS)))
                .doesNotThrowAnyException();
        q.enqueue("alice", bytes("fresh"), in(LONG_TTL));
        assertThat(texts(all(q, "alice"))).containsExactly("fresh");
        assertThat(q.size("alice")).isEqualTo(1);
    }

    @Test
    @DisplayName("acknowledging a message that expired meanwhile is harmless")
    void acknowledgeExpired() {
        Queue q = newQueue();
        Instant shortExpiry = in(SHORT_TTL);
        q.enqueue("alice", bytes("expire"), shortExpiry);
        long id = lastId(q, "alice");
        q.enqueue("alice", bytes("keep"), in(LONG_TTL));
        await().atMost(patience()).until(() -> Instant.now().isAfter(shortExpiry));
        q.acknowledge("alice", id);
        assertThat(texts(all(q, "alice"))).containsExactly("keep");
    }

    // ---------------------------------------------------------------- bounds

    @Test
    @DisplayName("over max messages per user, enqueue throws QueueFullException naming the bound and stores nothing")
    void maxMessagesPerUser() {
        Assumptions.assumeTrue(supportsMaxMessagesPerUser(), "this queue has no per-user message bound (opted out)");
        Queue q = newQueue(maxMessagesPerUserSettings(5));
        for (int i = 0; i < 5; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        assertThatThrownBy(() -> q.enqueue("alice", bytes("overflow"), in(LONG_TTL)))
                .isInstanceOf(QueueFullException.class)
                .hasMessageContaining("5")
                .satisfies(e -> assertNamesSetting(e, maxMessagesPerUserSettings(5)));
        assertThat(q.size("alice")).isEqualTo(5);
        assertThat(texts(all(q, "alice"))).containsExactly("m0", "m1", "m2", "m3", "m4");

        // the bound is per user
        q.enqueue("bob", bytes("b0"), in(LONG_TTL));
        assertThat(q.size("bob")).isEqualTo(1);

        // acknowledged messages free their places
        q.acknowledge("alice", all(q, "alice").get(1).id());
        q.enqueue("alice", bytes("m5"), in(LONG_TTL));
        q.enqueue("alice", bytes("m6"), in(LONG_TTL));
        assertThatThrownBy(() -> q.enqueue("alice", bytes("overflow"), in(LONG_TTL))).isInstanceOf(QueueFullException.class);
        assertThat(texts(all(q, "alice"))).containsExactly("m2", "m3", "m4", "m5", "m6");
    }

    @Test
    @DisplayName("expired messages do not count against max messages per user")
    void expiredDoNotCountAgainstMaxMessages() {
        Assumptions.assumeTrue(supportsMaxMessagesPerUser(), "this queue has no per-user message bound (opted out)");
        Queue q = newQueue(maxMessagesPerUserSettings(3));
        Instant shortExpiry = in(SHORT_TTL);
        for (int i = 0; i < 3; i++) {
            q.enqueue("alice", bytes("expire" + i), shortExpiry);
        }
        await().atMost(patience()).until(() -> Instant.now().isAfter(shortExpiry));
        for (int i = 0; i < 3; i++) {
            q.enqueue("alice", bytes("m" + i), in(LONG_TTL));
        }
        assertThat(texts(all(q, "alice"))).containsExactly("m0", "m1", "m2");
    }

    @Test
    @DisplayName("max messages per user holds under concurrent enqueues")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void maxMessagesPerUserConcurrently() throws Exception {
        Assumptions.assumeTrue(supportsMaxMessagesPerUser(), "this queue has no per-user message bound (opted out)");
        int bound = 100;
        Queue q = newQueue(maxMessagesPerUserSettings(bound));
        int threads = 6;
        int each = 40;
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        runConcurrently(threads, t -> {
            for (int i = 0; i < each; i++) {
                try {
                    q.enqueue("alice", bytes(t + ":" + i), in(LONG_TTL));
                    accepted.incrementAndGet();
                } catch (QueueFullException e) {
                    refused.incrementAndGet();
                }
            }
        });
        assertThat(accepted.get()).isEqualTo(bound);
        assertThat(refused.get()).isEqualTo(threads * each - bound);
        assertThat(q.size("alice")).isEqualTo(bound);
        assertThat(all(q, "alice")).hasSize(bound);
    }

    @Test
    @DisplayName("over max total bytes, enqueue throws QueueFullException naming the bound, for every user, and stores nothing")
    void maxTotalBytes() {
        Assumptions.assumeTrue(supportsMaxTotalBytes(), "this queue has no total byte bound (opted out)");
        long bound = 64 * 1024;
        Queue q = newQueue(maxTotalBytesSettings(bound));
        byte[] kib = new byte[1024];
        String[] users = {"alice", "bob", "carol"};
        Map<String, Integer> stored = new HashMap<>();
        long storedBytes = 0;
        QueueFullException refusal = null;
        for (int i = 0; i < 200 && refusal == null; i++) {
            String uid = users[i % users.length];
            try {
                q.enqueue(uid, kib, in(LONG_TTL));
                stored.merge(uid, 1, Integer::sum);
                storedBytes += kib.length;
            } catch (QueueFullException e) {
                refusal = e;
            }
        }
        assertThat(refusal).as("a queue bounded at %d bytes refused a message", bound).isNotNull();
        assertThat(storedBytes).as("payload bytes stored before the refusal").isLessThanOrEqualTo(bound).isGreaterThanOrEqualTo(bound / 4);
        assertNamesSetting(refusal, maxTotalBytesSettings(bound));
        for (String uid : users) {
            assertThat(q.size(uid)).as("size of %s", uid).isEqualTo(stored.getOrDefault(uid, 0));
        }
        // the bound is global: a new user is refused too
        assertThatThrownBy(() -> q.enqueue("dave", kib, in(LONG_TTL))).isInstanceOf(QueueFullException.class);
        assertThat(q.size("dave")).isZero();

        // acknowledging releases bytes
        q.acknowledge("alice", Long.MAX_VALUE);
        q.enqueue("dave", kib, in(LONG_TTL));
        assertThat(q.size("dave")).isEqualTo(1);
    }

    @Test
    @DisplayName("a single message larger than max total bytes is refused")
    void messageLargerThanMaxTotalBytes() {
        Assumptions.assumeTrue(supportsMaxTotalBytes(), "this queue has no total byte bound (opted out)");
        Queue q = newQueue(maxTotalBytesSettings(16 * 1024));
        assertThatThrownBy(() -> q.enqueue("alice", new byte[32 * 1024], in(LONG_TTL))).isInstanceOf(QueueFullException.class);
        assertThat(q.size("alice")).isZero();
        q.enqueue("alice", new byte[1024], in(LONG_TTL));
        assertThat(q.size("alice")).isEqualTo(1);
    }

    @Test
    @DisplayName("expired messages release their bytes")
    void expiredReleaseBytes() {
        Assumptions.assumeTrue(supportsMaxTotalBytes(), "this queue has no total byte bound (opted out)");
        long bound = 16 * 1024;
        Queue q = newQueue(maxTotalBytesSettings(bound));
        byte[] kib = new byte[1024];
        Instant shortExpiry = in(SHORT_TTL);
        int stored = 0;
        for (int i = 0; i < 100; i++) {
            try {
                q.enqueue("user-" + i, kib, shortExpiry);
                stored++;
            } catch (QueueFullException e) {
                break;
            }
        }
        assertThat(stored).isBetween(4, 16);
        // once the short-lived messages expired, as many long-lived ones fit again
        for (int i = 0; i < stored; i++) {
            await().atMost(patience()).until(() -> {
                try {
                    q.enqueue("fresh", kib, in(LONG_TTL));
                    return true;
                } catch (QueueFullException e) {
                    return false;
                }
            });
        }
        assertThat(q.size("fresh")).isEqualTo(stored);
    }

    @Test
    @DisplayName("max total bytes holds under concurrent enqueues across users")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void maxTotalBytesConcurrently() throws Exception {
        Assumptions.assumeTrue(supportsMaxTotalBytes(), "this queue has no total byte bound (opted out)");
        long bound = 128 * 1024;
        Queue q = newQueue(maxTotalBytesSettings(bound));
        AtomicLong acceptedBytes = new AtomicLong();
        runConcurrently(6, t -> {
            byte[] payload = new byte[500 + 100 * t];
            for (int i = 0; i < 100; i++) {
                try {
                    q.enqueue("user-" + (i % 7), payload, in(LONG_TTL));
                    acceptedBytes.addAndGet(payload.length);
                } catch (QueueFullException e) {
                    // expected once full
                }
            }
        });
        assertThat(acceptedBytes.get()).isLessThanOrEqualTo(bound).isGreaterThanOrEqualTo(bound / 4);
        long counted = 0;
        for (int u = 0; u < 7; u++) {
            for (QueuedMessage m : all(q, "user-" + u)) {
                counted += m.payload().length;
            }
        }
        assertThat(counted).isEqualTo(acceptedBytes.get());
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    @DisplayName("many threads enqueue, peek and acknowledge across users: every message is delivered exactly once, in order")
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void concurrentProducersAndConsumers() throws Exception {
        Queue q = newQueue();
        int users = 16;
        int producers = 4;
        int perProducer = 1500;
        int consumers = 4;
        long total = (long) producers * perProducer;
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger producersLeft = new AtomicInteger(producers);
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        AtomicLong deliveries = new AtomicLong();
        List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();

        ExecutorService pool = Executors.newFixedThreadPool(producers + consumers + 1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int p = 0; p < producers; p++) {
                int producer = p;
                futures.add(pool.submit(() -> {
                    start.await();
                    Random r = new Random(producer);
                    for (int i = 0; i < perProducer; i++) {
                        String uid = "user-" + r.nextInt(users);
                        q.enqueue(uid, ByteBuffer.allocate(8).putInt(producer).putInt(i).array(), in(LONG_TTL));
                    }
                    if (producersLeft.decrementAndGet() == 0) {
                        producing.set(false);
                    }
                    return null;
                }));
            }
            for (int c = 0; c < consumers; c++) {
                int consumer = c;
                futures.add(pool.submit(() -> {
                    start.await();
                    // each consumer owns the users u with u % consumers == consumer, like the hub's per-user drain
                    Map<String, int[]> lastSeen = new HashMap<>();
                    while (true) {
                        boolean wasProducing = producing.get();
                        int got = 0;
                        for (int u = consumer; u < users; u += consumers) {
                            String uid = "user-" + u;
                            List<QueuedMessage> batch = q.peek(uid, 1 + (u % 13));
                            for (QueuedMessage m : batch) {
                                ByteBuffer b = ByteBuffer.wrap(m.payload());
                                int producer = b.getInt();
                                int seq = b.getInt();
                                if (!delivered.add(producer + ":" + seq)) {
                                    problems.add("delivered twice: " + producer + ":" + seq);
                                }
                                int[] last = lastSeen.computeIfAbsent(uid + "/" + producer, k -> new int[] {-1});
                                if (seq <= last[0]) {
                                    problems.add(uid + ": message " + producer + ":" + seq + " after " + producer + ":" + last[0]);
                                }
                                last[0] = seq;
                                deliveries.incrementAndGet();
                            }
                            if (!batch.isEmpty()) {
                                q.acknowledge(uid, batch.get(batch.size() - 1).id());
                                got += batch.size();
                            }
                        }
                        if (!wasProducing && got == 0) {
                            return null;
                        }
                    }
                }));
            }
            futures.add(pool.submit(() -> {
                start.await();
                Random r = new Random(99);
                while (producing.get()) {
                    String uid = "user-" + r.nextInt(users);
                    if (q.size(uid) < 0) {
                        problems.add("negative size for " + uid);
                    }
                    q.peek(uid, 5);
                    q.acknowledge("bystander-" + r.nextInt(3), Long.MAX_VALUE);
                }
                return null;
            }));
            start.countDown();
            for (Future<?> f : futures) {
                f.get(80, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(problems).isEmpty();
        assertThat(deliveries.get()).isEqualTo(total);
        assertThat(delivered).hasSize((int) total);
        for (int u = 0; u < users; u++) {
            assertThat(q.size("user-" + u)).isZero();
        }
    }

    @Test
    @DisplayName("concurrent enqueues to one user all land, each once, with distinct increasing ids")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentEnqueuesOneUser() throws Exception {
        Queue q = newQueue();
        int threads = 6;
        int each = 300;
        runConcurrently(threads, t -> {
            for (int i = 0; i < each; i++) {
                q.enqueue("alice", bytes(t + ":" + i), in(LONG_TTL));
            }
        });
        List<QueuedMessage> m = all(q, "alice");
        assertThat(m).hasSize(threads * each);
        assertThat(q.size("alice")).isEqualTo(threads * each);
        Set<String> seen = new HashSet<>(texts(m));
        assertThat(seen).hasSize(threads * each);
        Map<Integer, Integer> lastPerThread = new HashMap<>();
        for (int i = 0; i < m.size(); i++) {
            if (i > 0) {
                assertThat(m.get(i).id()).isGreaterThan(m.get(i - 1).id());
            }
            String[] parts = new String(m.get(i).payload(), StandardCharsets.UTF_8).split(":");
            int t = Integer.parseInt(parts[0]);
            int seq = Integer.parseInt(parts[1]);
            assertThat(seq).as("order of thread %d", t).isGreaterThan(lastPerThread.getOrDefault(t, -1));
            lastPerThread.put(t, seq);
        }
    }

    // ---------------------------------------------------------------- close

    @Test
    @DisplayName("close is idempotent")
    void closeIsIdempotent() {
        Queue q = createQueue(Map.of());
        q.enqueue("alice", bytes("m"), in(LONG_TTL));
        q.close();
        assertThatCode(q::close).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("operations on a closed queue throw TokException")
    void operationsAfterCloseFail() {
        Queue q = createQueue(Map.of());
        q.enqueue("alice", bytes("m"), in(LONG_TTL));
        q.close();
        assertThatThrownBy(() -> q.enqueue("alice", bytes("late"), in(LONG_TTL))).isInstanceOf(TokException.class);
        assertThatThrownBy(() -> q.peek("alice", 1)).isInstanceOf(TokException.class);
        assertThatThrownBy(() -> q.size("alice")).isInstanceOf(TokException.class);
        assertThatThrownBy(() -> q.acknowledge("alice", 1)).isInstanceOf(TokException.class);
    }

    // ---------------------------------------------------------------- utilities

    /**
     * Asserts that a refusal's message names the setting that raises the bound: the key of
     * {@code settings} when it has exactly one.
     *
     * @param refusal  the exception
     * @param settings the settings that set the bound
     */
    protected static void assertNamesSetting(Throwable refusal, Map<String, String> settings) {
        if (settings.size() == 1) {
            assertThat(refusal.getMessage()).as("message of %s", refusal).contains(settings.keySet().iterator().next());
        }
    }

    /** A task run by each thread of {@link #runConcurrently}. */
    @FunctionalInterface
    protected interface ThreadTask {
        /**
         * @param thread the thread's index, from 0
         * @throws Exception on failure, which fails the test
         */
        void run(int thread) throws Exception;
    }

    /**
     * Runs {@code task} on {@code threads} threads that start together; rethrows the first
     * failure.
     *
     * @param threads how many
     * @param task    what each runs
     * @throws Exception the first failure
     */
    protected static void runConcurrently(int threads, ThreadTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    task.run(index);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                try {
                    f.get(50, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception) {
                        throw (Exception) e.getCause();
                    }
                    fail("thread failed", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
