package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the queue stores in Redis: key names, types, one Cluster slot per user, key deadlines. */
class KeyLayoutTest {

    private final String prefix = TestRedis.uniquePrefix();
    private final Queue queue = TestRedis.open(TestRedis.shared(), "key-prefix", prefix, "device-retention", "2d");
    private final TestRedis.Inspector inspector = new TestRedis.Inspector(TestRedis.shared());
    private final RedisCommands<String, String> redis = inspector.sync();

    @AfterEach
    void close() {
        queue.close();
        inspector.close();
    }

    @Test
    @DisplayName("one user's keys share its hash tag and one Cluster slot: meta, sent (hashes), log (stream), exp, sent-at (zsets), cursors (hash)")
    void keys() {
        long before = System.currentTimeMillis();
        long id = queue.enqueue("alice", "hello".getBytes(StandardCharsets.UTF_8), Instant.now().plusSeconds(3600));
        queue.cursor(Device.of("alice", "phone"));
        Set<String> keys = new TreeSet<>(redis.keys(prefix + "*"));
        String base = prefix + "{alice}:";
        assertThat(keys).containsExactlyInAnyOrder(base + "meta", base + "log", base + "exp", base + "cursors", base + "sent",
                base + "sent-at");
        assertThat(redis.type(base + "meta")).isEqualTo("hash");
        assertThat(redis.type(base + "log")).isEqualTo("stream");
        assertThat(redis.type(base + "exp")).isEqualTo("zset");
        assertThat(redis.type(base + "cursors")).isEqualTo("hash");
        assertThat(redis.type(base + "sent")).isEqualTo("hash");
        assertThat(redis.type(base + "sent-at")).isEqualTo("zset");
        assertThat(keys.stream().map(SlotHash::getSlot).distinct()).hasSize(1);
        assertThat(SlotHash.getSlot(base + "log")).isEqualTo(SlotHash.getSlot("alice"));

        assertThat(redis.hget(base + "meta", "seq")).isEqualTo(Long.toString(id));
        assertThat(redis.hget(base + "meta", "bytes")).isEqualTo("5");
        assertThat(redis.hgetall(base + "cursors")).containsEntry("phone", "0");
        assertThat(id).as("ids start at now-in-ms * 1000, so they increase even after the user's keys expired")
                .isGreaterThan(before * 1000).isLessThan(9_007_199_254_740_992L);
        assertThat(redis.xrange(base + "log", io.lettuce.core.Range.create("-", "+"))).singleElement()
                .satisfies(m -> assertThat(m.getId()).isEqualTo(id + "-0"));
    }

    @Test
    @DisplayName("all keys of a user share one deadline: the latest message expiry or device activity + device-retention, plus a minute")
    void deadlines() {
        Instant expiry = Instant.now().plus(Duration.ofDays(5)).truncatedTo(ChronoUnit.MILLIS);
        queue.enqueue("bob", new byte[] {1}, expiry);
        String base = prefix + "{bob}:";
        long margin = RedisQueue.KEY_MARGIN.toMillis();
        assertThat(redis.pexpiretime(base + "meta")).isEqualTo(expiry.toEpochMilli() + margin);

        // a device seen now is kept 2 days: less than the message, so the deadline stays
        queue.cursor(Device.of("bob", "phone"));
        for (String k : RedisQueue.KEY_NAMES) {
            assertThat(redis.pexpiretime(base + k)).as(k).isEqualTo(expiry.toEpochMilli() + margin);
        }

        // a device of a user without messages: now + 2 days + margin
        long before = System.currentTimeMillis();
        queue.cursor(Device.of("carol", "phone"));
        long deadline = redis.pexpiretime(prefix + "{carol}:cursors");
        assertThat(deadline).isBetween(before + Duration.ofDays(2).toMillis() + margin,
                System.currentTimeMillis() + Duration.ofDays(2).toMillis() + margin);
        assertThat(redis.pexpiretime(prefix + "{carol}:meta")).isEqualTo(deadline);
    }

    @Test
    @DisplayName("acknowledged and expired messages leave the stream, the expiry index and the byte count")
    void cleanup() {
        String base = prefix + "{dave}:";
        long m1 = queue.enqueue("dave", new byte[10], Instant.now().plusSeconds(3600));
        Instant shortExpiry = Instant.now().plusMillis(200);
        queue.enqueue("dave", new byte[20], shortExpiry);
        queue.enqueue("dave", new byte[30], Instant.now().plusSeconds(3600));
        assertThat(redis.hget(base + "meta", "bytes")).isEqualTo("60");
        queue.acknowledge(Device.of("dave", "only"), m1);
        assertThat(redis.xlen(base + "log")).isEqualTo(2);
        assertThat(redis.zcard(base + "exp")).isEqualTo(2);
        assertThat(redis.hget(base + "meta", "bytes")).isEqualTo("50");
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(shortExpiry));
        assertThat(queue.size("dave")).isEqualTo(1);
        assertThat(redis.xlen(base + "log")).isEqualTo(1);
        assertThat(redis.zcard(base + "exp")).isEqualTo(1);
        assertThat(redis.hget(base + "meta", "bytes")).isEqualTo("30");
        queue.acknowledge("dave", Long.MAX_VALUE);
        assertThat(redis.xlen(base + "log")).isZero();
        assertThat(redis.zcard(base + "exp")).isZero();
        assertThat(redis.hget(base + "meta", "bytes")).isEqualTo("0");
        assertThat(redis.hgetall(base + "cursors")).as("cursors stay").containsEntry("only", Long.toString(m1));
    }

    @Test
    @DisplayName("an enqueue sent twice with the same token (Lettuce re-sending it after a reconnect) is stored once, with one id")
    void resentEnqueueIsStoredOnce() {
        RedisQueue q = (RedisQueue) queue;
        byte[] token = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        long first = q.enqueue("erin", new byte[] {1}, Instant.now().plusSeconds(3600), token);
        long again = q.enqueue("erin", new byte[] {1}, Instant.now().plusSeconds(3600), token);
        assertThat(again).isEqualTo(first);
        assertThat(q.size("erin")).isEqualTo(1);
        long other = q.enqueue("erin", new byte[] {1}, Instant.now().plusSeconds(3600));
        assertThat(other).isGreaterThan(first);
        assertThat(q.size("erin")).isEqualTo(2);
        assertThat(redis.hlen(prefix + "{erin}:sent")).isEqualTo(2);
    }

    @Test
    @DisplayName("the hash tag is the whole uid, never empty: %, { and } are percent-escaped, the empty uid is %")
    void hashTags() {
        assertThat(RedisQueue.hashTag("alice")).isEqualTo("alice");
        assertThat(RedisQueue.hashTag("")).isEqualTo("%");
        assertThat(RedisQueue.hashTag("a{b}c%")).isEqualTo("a%7Bb%7Dc%25");
        assertThat(RedisQueue.hashTag("}x")).isEqualTo("%7Dx");
        assertThat(RedisQueue.hashTag("%")).isEqualTo("%25");
        queue.enqueue("", new byte[] {1}, Instant.now().plusSeconds(60));
        queue.enqueue("}x", new byte[] {2}, Instant.now().plusSeconds(60));
        assertThat(redis.keys(prefix + "{%}:*")).as("all but cursors: no device seen").hasSize(RedisQueue.KEY_NAMES.size() - 1);
        assertThat(redis.keys(prefix + "{%7Dx}:*")).hasSize(RedisQueue.KEY_NAMES.size() - 1);
        assertThat(redis.keys(prefix + "{%}:*").stream().map(SlotHash::getSlot).distinct()).hasSize(1);
        assertThat(queue.peek("", 5)).extracting(m -> m.payload()[0]).containsExactly((byte) 1);
        assertThat(queue.peek("}x", 5)).extracting(m -> m.payload()[0]).containsExactly((byte) 2);
    }
}
