package dev.tok.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.QueuedMessage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The ring buffer behind each user's messages agrees with a plain deque, wrapped or not. */
class EntryRingTest {

    private static final Instant BASE = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    @DisplayName("random appends, trims, expiries and reads agree with an ArrayDeque model, across wrap-around, growth and shrinking")
    void agreesWithDequeModel() {
        Random r = new Random(42);
        EntryRing ring = new EntryRing();
        ArrayDeque<Entry> model = new ArrayDeque<>();
        long nextId = 1;
        for (int step = 0; step < 20_000; step++) {
            int op = r.nextInt(10);
            if (op < 5) {
                nextId += 1 + r.nextInt(3); // ids increase, with gaps as a shared counter leaves
                Entry e = new Entry(nextId, new byte[r.nextInt(5)], BASE.plusSeconds(r.nextInt(1000)));
                ring.addLast(e);
                model.addLast(e);
            } else if (op < 7) {
                long upTo = model.isEmpty() ? nextId : model.peekFirst().id() + r.nextInt(8);
                int removed = ring.removeThrough(upTo);
                int expected = 0;
                while (!model.isEmpty() && model.peekFirst().id() <= upTo) {
                    model.pollFirst();
                    expected++;
                }
                assertThat(removed).isEqualTo(expected);
            } else if (op == 7 && r.nextInt(20) == 0) {
                Instant now = BASE.plusSeconds(r.nextInt(300));
                Instant earliest = ring.removeExpired(now);
                model.removeIf(e -> !e.expiresAt().isAfter(now));
                assertThat(earliest).isEqualTo(model.stream().map(Entry::expiresAt).min(Instant::compareTo).orElse(null));
            } else {
                long afterId = nextId - r.nextInt(40);
                int max = 1 + r.nextInt(10);
                List<Long> expected = new ArrayList<>();
                for (Entry e : model) {
                    if (e.id() > afterId && expected.size() < max) {
                        expected.add(e.id());
                    }
                }
                assertThat(ring.copy(ring.indexAfter(afterId), max)).extracting(QueuedMessage::id).containsExactlyElementsOf(expected);
            }
            assertThat(ring.size()).isEqualTo(model.size());
            assertThat(ring.cost()).isEqualTo(model.stream().mapToLong(Entry::cost).sum());
            assertThat(ring.first()).isEqualTo(model.peekFirst());
        }
    }

    @Test
    @DisplayName("the array shrinks as the ring drains and is released when it is empty")
    void releasesMemory() {
        EntryRing ring = new EntryRing();
        assertThat(ring.capacity()).isZero();
        for (int i = 1; i <= 1000; i++) {
            ring.addLast(new Entry(i, new byte[0], BASE));
        }
        assertThat(ring.capacity()).isEqualTo(1024);
        ring.removeThrough(990);
        assertThat(ring.size()).isEqualTo(10);
        assertThat(ring.capacity()).as("shrunk after draining").isLessThanOrEqualTo(64);
        assertThat(ring.copy(0, 100)).extracting(QueuedMessage::id).containsExactly(991L, 992L, 993L, 994L, 995L, 996L, 997L, 998L, 999L, 1000L);
        ring.removeThrough(Long.MAX_VALUE);
        assertThat(ring.capacity()).as("released when empty").isZero();
        assertThat(ring.cost()).isZero();
    }

    @Test
    @DisplayName("indexAfter finds the first entry after any id, before the first, between ids and after the last")
    void indexAfter() {
        EntryRing ring = new EntryRing();
        for (long id : new long[] {10, 20, 30, 40}) {
            ring.addLast(new Entry(id, new byte[0], BASE));
        }
        assertThat(ring.indexAfter(Long.MIN_VALUE)).isZero();
        assertThat(ring.indexAfter(0)).isZero();
        assertThat(ring.indexAfter(10)).isEqualTo(1);
        assertThat(ring.indexAfter(25)).isEqualTo(2);
        assertThat(ring.indexAfter(40)).isEqualTo(4);
        assertThat(ring.copy(4, 10)).isEmpty();
    }
}
