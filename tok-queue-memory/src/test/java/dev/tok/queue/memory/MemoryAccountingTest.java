package dev.tok.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.QueueFullException;
import dev.tok.api.TokException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The byte count behind max-total-bytes follows every way a message enters and leaves. */
class MemoryAccountingTest {

    private static final int O = MemoryQueue.OVERHEAD_BYTES;
    private static final Instant LATER = Instant.now().plusSeconds(3600);

    private final MemoryQueue q = new MemoryQueue(100, 1_000_000, Duration.ofHours(1));

    @AfterEach
    void close() {
        q.close();
    }

    @Test
    @DisplayName("enqueue adds payload plus overhead; acknowledge gives it back; emptied users leave the map")
    void enqueueAndAcknowledge() {
        q.enqueue("alice", new byte[10], LATER);
        q.enqueue("alice", new byte[0], LATER);
        q.enqueue("bob", new byte[100], LATER);
        assertThat(q.usedBytes()).isEqualTo(10 + O + 0 + O + 100 + O);
        assertThat(q.userCount()).isEqualTo(2);

        long first = q.peek("alice", 1).get(0).id();
        q.acknowledge("alice", first);
        assertThat(q.usedBytes()).isEqualTo(0 + O + 100 + O);
        q.acknowledge("alice", Long.MAX_VALUE);
        assertThat(q.usedBytes()).isEqualTo(100 + O);
        assertThat(q.userCount()).isEqualTo(1);
        q.acknowledge("bob", Long.MAX_VALUE);
        assertThat(q.usedBytes()).isZero();
        assertThat(q.userCount()).isZero();
    }

    @Test
    @DisplayName("reading users that have nothing waiting allocates nothing")
    void readsDoNotCreateUsers() {
        assertThat(q.peek("ghost", 10)).isEmpty();
        assertThat(q.size("ghost")).isZero();
        q.acknowledge("ghost", 5);
        assertThat(q.userCount()).isZero();
    }

    @Test
    @DisplayName("a refused message changes neither the byte count nor the users")
    void refusalStoresNothing() {
        MemoryQueue small = new MemoryQueue(2, 1000, Duration.ofHours(1));
        try {
            small.enqueue("alice", new byte[100], LATER);
            small.enqueue("alice", new byte[100], LATER);
            long used = small.usedBytes();
            assertThatThrownBy(() -> small.enqueue("alice", new byte[1], LATER)).isInstanceOf(QueueFullException.class);
            assertThatThrownBy(() -> small.enqueue("bob", new byte[900], LATER)).isInstanceOf(QueueFullException.class);
            assertThat(small.usedBytes()).isEqualTo(used);
            assertThat(small.userCount()).as("bob's refused message left no empty queue behind").isEqualTo(1);
            assertThat(small.size("alice")).isEqualTo(2);
        } finally {
            small.close();
        }
    }

    @Test
    @DisplayName("expired messages are released when their user is read")
    void expiryReleasesOnAccess() {
        Instant soon = Instant.now().plusMillis(200);
        q.enqueue("alice", new byte[50], soon);
        q.enqueue("alice", new byte[7], LATER);
        assertThat(q.usedBytes()).isEqualTo(50 + O + 7 + O);
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(soon));
        assertThat(q.size("alice")).isEqualTo(1);
        assertThat(q.usedBytes()).isEqualTo(7 + O);
    }

    @Test
    @DisplayName("a message already expired at enqueue is not stored")
    void alreadyExpiredNotStored() {
        q.enqueue("alice", new byte[50], Instant.now().minusMillis(1));
        assertThat(q.usedBytes()).isZero();
        assertThat(q.userCount()).isZero();
    }

    @Test
    @DisplayName("close releases everything and later calls say the queue is closed")
    void closeReleases() {
        q.enqueue("alice", new byte[50], LATER);
        q.close();
        assertThat(q.usedBytes()).isZero();
        assertThat(q.userCount()).isZero();
        assertThatThrownBy(() -> q.size("alice")).isInstanceOf(TokException.class).hasMessageContaining("memory queue is closed");
    }

    @Test
    @DisplayName("peek returns the stored payload array and does not copy it")
    void peekDoesNotCopy() {
        byte[] payload = {1, 2, 3};
        q.enqueue("alice", payload, LATER);
        assertThat(q.peek("alice", 1).get(0).payload()).isSameAs(payload);
    }

    @Test
    @DisplayName("the provider's default settings are used by the queue it creates")
    void providerDefaults() {
        try (MemoryQueue d = (MemoryQueue) new MemoryQueueProvider().create(dev.tok.api.spi.Settings.of("queue 'memory'", Map.of()))) {
            d.enqueue("alice", new byte[1], LATER);
            assertThat(d.usedBytes()).isEqualTo(1 + O);
        }
    }
}
