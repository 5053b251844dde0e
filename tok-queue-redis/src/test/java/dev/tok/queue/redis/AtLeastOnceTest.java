package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The at-least-once half of the Queue contract: ids, device cursors, removal when every device acknowledged. */
class AtLeastOnceTest {

    private final String prefix = TestRedis.uniquePrefix();
    private Queue queue = TestRedis.open(TestRedis.shared(), "key-prefix", prefix);

    @AfterEach
    void close() {
        queue.close();
    }

    private Queue reopen() {
        queue.close();
        queue = TestRedis.open(TestRedis.shared(), "key-prefix", prefix);
        return queue;
    }

    private static Instant in(Duration d) {
        return Instant.now().plus(d);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<QueuedMessage> m) {
        return m.stream().map(x -> new String(x.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    @DisplayName("enqueue returns positive ids that increase, and read returns what follows an id")
    void idsAndRead() {
        long a = queue.enqueue("alice", text("a"), in(Duration.ofHours(1)));
        long b = queue.enqueue("alice", text("b"), in(Duration.ofHours(1)));
        long c = queue.enqueue("alice", text("c"), in(Duration.ofHours(1)));
        assertThat(a).isPositive();
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
        assertThat(texts(queue.read("alice", 0, 10))).containsExactly("a", "b", "c");
        assertThat(texts(queue.read("alice", a, 10))).containsExactly("b", "c");
        assertThat(texts(queue.read("alice", b, 1))).containsExactly("c");
        assertThat(queue.read("alice", c, 10)).isEmpty();
        assertThat(queue.read("alice", Long.MAX_VALUE, 10)).isEmpty();
        assertThat(queue.read("alice", a, 10)).extracting(QueuedMessage::id).containsExactly(b, c);
    }

    @Test
    @DisplayName("a new device's cursor is 0; it moves forward only; a message goes once every known device acknowledged it")
    void cursors() {
        Device phone = Device.of("alice", "phone");
        Device laptop = Device.of("alice", "laptop");
        assertThat(queue.cursor(phone)).isZero();
        assertThat(queue.cursor(laptop)).isZero();
        long m1 = queue.enqueue("alice", text("m1"), in(Duration.ofHours(1)));
        long m2 = queue.enqueue("alice", text("m2"), in(Duration.ofHours(1)));

        queue.acknowledge(phone, m2);
        assertThat(queue.cursor(phone)).isEqualTo(m2);
        assertThat(queue.size("alice")).as("the laptop has not acknowledged").isEqualTo(2);
        queue.acknowledge(phone, m1);
        assertThat(queue.cursor(phone)).as("never backward").isEqualTo(m2);

        queue.acknowledge(laptop, m1);
        assertThat(texts(queue.peek("alice", 10))).containsExactly("m2");
        queue.acknowledge(laptop, m2);
        assertThat(queue.size("alice")).isZero();
        assertThat(queue.cursor(laptop)).isEqualTo(m2);
    }

    @Test
    @DisplayName("acknowledge registers an unknown device; a device registered later is owed every message still kept")
    void registration() {
        long m1 = queue.enqueue("bob", text("m1"), in(Duration.ofHours(1)));
        Device tablet = Device.of("bob", "tablet");
        queue.acknowledge(tablet, m1);
        assertThat(queue.size("bob")).as("the only device known acknowledged it").isZero();

        long m2 = queue.enqueue("bob", text("m2"), in(Duration.ofHours(1)));
        Device watch = Device.of("bob", "watch");
        assertThat(queue.cursor(watch)).isZero();
        queue.acknowledge(tablet, m2);
        assertThat(texts(queue.read("bob", queue.cursor(watch), 10))).as("kept for the watch").containsExactly("m2");
    }

    @Test
    @DisplayName("cursors outlive the user's messages: a device known before keeps its claim on later messages")
    void cursorsOutliveMessages() {
        Device a = Device.of("carol", "a");
        Device b = Device.of("carol", "b");
        queue.cursor(a);
        queue.cursor(b);
        long m1 = queue.enqueue("carol", text("m1"), in(Duration.ofHours(1)));
        queue.acknowledge(a, m1);
        queue.acknowledge(b, m1);
        assertThat(queue.size("carol")).isZero();

        long m2 = queue.enqueue("carol", text("m2"), in(Duration.ofHours(1)));
        queue.acknowledge(a, m2);
        assertThat(queue.size("carol")).as("b is still known and has not acknowledged m2").isEqualTo(1);
        assertThat(queue.cursor(b)).isEqualTo(m1);
    }

    @Test
    @DisplayName("cursors and ids survive a reopen")
    void survivesReopen() {
        Device a = Device.of("dave", "a");
        Device b = Device.of("dave", "b");
        queue.cursor(b);
        long m1 = queue.enqueue("dave", text("m1"), in(Duration.ofHours(1)));
        queue.acknowledge(a, m1);
        Queue r = reopen();
        assertThat(r.cursor(a)).isEqualTo(m1);
        assertThat(r.cursor(b)).isZero();
        assertThat(texts(r.read("dave", 0, 10))).containsExactly("m1");
        assertThat(r.enqueue("dave", text("m2"), in(Duration.ofHours(1)))).isGreaterThan(m1);
    }

    @Test
    @DisplayName("read skips expired messages; an already expired message gets an id and is never read")
    void expiry() {
        Instant soon = in(Duration.ofMillis(300));
        long e = queue.enqueue("erin", text("short"), soon);
        long k = queue.enqueue("erin", text("keep"), in(Duration.ofHours(1)));
        long late = queue.enqueue("erin", text("late"), Instant.now().minusSeconds(1));
        assertThat(late).isGreaterThan(k).isGreaterThan(e);
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(soon));
        assertThat(texts(queue.read("erin", 0, 10))).containsExactly("keep");
        assertThat(queue.size("erin")).isEqualTo(1);
        long next = queue.enqueue("erin", text("next"), in(Duration.ofHours(1)));
        assertThat(next).isGreaterThan(late);
    }

    @Test
    @DisplayName("devices of other users and the at-most-once acknowledge leave cursors alone")
    void isolation() {
        Device a = Device.of("frank", "a");
        long m1 = queue.enqueue("frank", text("m1"), in(Duration.ofHours(1)));
        queue.enqueue("grace", text("g1"), in(Duration.ofHours(1)));
        queue.acknowledge(Device.of("grace", "a"), Long.MAX_VALUE);
        assertThat(queue.size("grace")).isZero();
        assertThat(queue.size("frank")).isEqualTo(1);
        queue.acknowledge("frank", m1);
        assertThat(queue.size("frank")).isZero();
        assertThat(queue.cursor(a)).isZero();
    }
}
