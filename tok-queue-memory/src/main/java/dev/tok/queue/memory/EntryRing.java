package dev.tok.queue.memory;

import dev.tok.api.QueuedMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One user's messages in id order: a growable ring buffer over a power-of-two array, so that an
 * entry is reached by its position and {@link #indexAfter(long) the first entry after an id} is
 * found by binary search, in O(log n) instead of a walk over every message the reading device
 * already acknowledged (in at-least-once mode a lagging device keeps up to
 * {@code max-messages-per-user} of them in front of the others' cursors).
 *
 * <p>Appending and removing at the head are amortized O(1). The array shrinks by half while at
 * most a quarter of it is in use and is released when the ring empties: a user whose devices are
 * known stays in the queue's map with no messages, and must not keep the array of an old burst.
 *
 * <p>Not thread-safe: guarded by the monitor of its {@code UserQueue}. Ids of appended entries
 * must increase (the caller takes them under that monitor).
 */
final class EntryRing {

    private static final Entry[] NONE = new Entry[0];
    private static final int MIN_CAPACITY = 8;

    private Entry[] slots = NONE;
    private int head;
    private int size;
    /** Sum of {@link Entry#cost()} of the entries held. */
    private long cost;

    /** @return how many entries are held */
    int size() {
        return size;
    }

    /** @return whether no entry is held */
    boolean isEmpty() {
        return size == 0;
    }

    /** @return the bytes the held entries count against {@code max-total-bytes} */
    long cost() {
        return cost;
    }

    /** @return the array length, for tests */
    int capacity() {
        return slots.length;
    }

    /** @return the oldest entry; {@code null} when empty */
    Entry first() {
        return size == 0 ? null : slots[head];
    }

    /**
     * @param index a position, {@code 0 <= index < size()}
     * @return the entry at that position, 0 being the oldest
     */
    Entry get(int index) {
        return slots[(head + index) & (slots.length - 1)];
    }

    /**
     * Appends an entry at the tail.
     *
     * @param e the entry; its id is greater than every id held
     */
    void addLast(Entry e) {
        if (size == slots.length) {
            resize(Math.max(MIN_CAPACITY, slots.length * 2));
        }
        slots[(head + size) & (slots.length - 1)] = e;
        size++;
        cost += e.cost();
    }

    /**
     * @param afterId an id
     * @return the position of the oldest entry whose id is greater than {@code afterId};
     *         {@link #size()} if there is none. Binary search: ids increase from the head.
     */
    int indexAfter(long afterId) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (get(mid).id() <= afterId) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Removes every entry whose id is at most {@code upToId}: O(log n + removed).
     *
     * @param upToId the id
     * @return how many entries were removed
     */
    int removeThrough(long upToId) {
        int n = indexAfter(upToId);
        for (int i = 0; i < n; i++) {
            int slot = head;
            cost -= slots[slot].cost();
            slots[slot] = null;
            head = (slot + 1) & (slots.length - 1);
        }
        size -= n;
        afterRemoval();
        return n;
    }

    /**
     * Removes every entry that expired at {@code now}, keeping the order of the others: O(n).
     *
     * @param now the current time
     * @return the earliest expiry among the entries left; {@code null} when none is left
     */
    Instant removeExpired(Instant now) {
        Instant earliest = null;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            Entry e = get(i);
            if (!e.expiresAt().isAfter(now)) {
                cost -= e.cost();
                continue;
            }
            if (earliest == null || e.expiresAt().isBefore(earliest)) {
                earliest = e.expiresAt();
            }
            slots[(head + kept) & (slots.length - 1)] = e;
            kept++;
        }
        for (int i = kept; i < size; i++) {
            slots[(head + i) & (slots.length - 1)] = null;
        }
        size = kept;
        afterRemoval();
        return earliest;
    }

    /**
     * Copies entries out as {@link QueuedMessage}s.
     *
     * @param from the position of the first one
     * @param max  at most this many
     * @return the messages from {@code from} on, oldest first
     */
    List<QueuedMessage> copy(int from, int max) {
        int n = Math.min(max, size - from);
        if (n <= 0) {
            return List.of();
        }
        List<QueuedMessage> out = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            Entry e = get(i);
            out.add(new QueuedMessage(e.id(), e.payload(), e.expiresAt()));
        }
        return out;
    }

    /**
     * Releases the array when empty; while at most a quarter of it is used, halves it (in one
     * copy, however many halvings a bulk removal allows). Copies happen only after removals of at
     * least as many entries as are copied, so removal stays amortized O(1).
     */
    private void afterRemoval() {
        if (size == 0) {
            slots = NONE;
            head = 0;
            cost = 0;
            return;
        }
        int capacity = slots.length;
        while (capacity > MIN_CAPACITY && size <= capacity / 4) {
            capacity /= 2;
        }
        if (capacity != slots.length) {
            resize(capacity);
        }
    }

    private void resize(int capacity) {
        Entry[] next = new Entry[capacity];
        for (int i = 0; i < size; i++) {
            next[i] = get(i);
        }
        slots = next;
        head = 0;
    }
}
