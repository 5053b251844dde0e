package dev.tok.queue.chronicle;

import java.util.Arrays;

/**
 * The in-memory index of one user's waiting messages, oldest first: for each message its id,
 * its expiry (epoch nanoseconds), its position (Chronicle index) in the journal and the bytes it
 * counts against {@code max-total-bytes}. Payloads stay on disk. Not thread-safe: callers
 * synchronise on the instance.
 *
 * <p>Entries are kept in one {@code long[]} with a stride of four, to keep the per-user and
 * per-message overhead small (32 bytes a message).
 */
final class UserQueue {

    /** Receives the journal position and the counted bytes of every entry removed. */
    interface Removal {
        void removed(long position, long bytes);
    }

    static final int STRIDE = 4;

    final String uid;
    /** Set when the queue was removed from the map; holders must look the user up again. */
    boolean dead;
    private long[] entries;
    private int head;
    private int tail;
    private long minExpiry = Long.MAX_VALUE;

    UserQueue(String uid) {
        this(uid, 4);
    }

    UserQueue(String uid, int capacity) {
        this.uid = uid;
        this.entries = new long[Math.max(1, capacity) * STRIDE];
    }

    int count() {
        return tail - head;
    }

    long id(int i) {
        return entries[(head + i) * STRIDE];
    }

    long expiry(int i) {
        return entries[(head + i) * STRIDE + 1];
    }

    long position(int i) {
        return entries[(head + i) * STRIDE + 2];
    }

    long minExpiry() {
        return minExpiry;
    }

    void add(long id, long expiry, long position, long bytes) {
        if (tail * STRIDE == entries.length) {
            int n = count();
            if (head > 0 && n <= (entries.length / STRIDE) / 2) {
                System.arraycopy(entries, head * STRIDE, entries, 0, n * STRIDE);
            } else {
                entries = Arrays.copyOf(entries, Math.max(4, entries.length / STRIDE * 2) * STRIDE);
                System.arraycopy(entries, head * STRIDE, entries, 0, n * STRIDE);
            }
            head = 0;
            tail = n;
        }
        int at = tail * STRIDE;
        entries[at] = id;
        entries[at + 1] = expiry;
        entries[at + 2] = position;
        entries[at + 3] = bytes;
        tail++;
        if (expiry < minExpiry) {
            minExpiry = expiry;
        }
    }

    /** @return how many leading entries have an id at most {@code upToId} (ids grow, so they form a prefix) */
    int countUpTo(long upToId) {
        int n = 0;
        for (int i = head; i < tail && entries[i * STRIDE] <= upToId; i++) {
            n++;
        }
        return n;
    }

    /** Removes the first {@code n} entries. */
    void removeFirst(int n, Removal removal) {
        for (int i = 0; i < n; i++) {
            removal.removed(entries[(head + i) * STRIDE + 2], entries[(head + i) * STRIDE + 3]);
        }
        head += n;
        if (head == tail) {
            head = 0;
            tail = 0;
            minExpiry = Long.MAX_VALUE;
        }
    }

    /**
     * Drops every entry whose expiry is at or before {@code now}. Cheap when nothing expired.
     *
     * @return how many were dropped
     */
    int purgeExpired(long now, Removal removal) {
        if (now < minExpiry) {
            return 0;
        }
        int out = head;
        long min = Long.MAX_VALUE;
        int dropped = 0;
        for (int i = head; i < tail; i++) {
            int at = i * STRIDE;
            long exp = entries[at + 1];
            if (exp <= now) {
                removal.removed(entries[at + 2], entries[at + 3]);
                dropped++;
                continue;
            }
            if (out != i) {
                System.arraycopy(entries, at, entries, out * STRIDE, STRIDE);
            }
            out++;
            if (exp < min) {
                min = exp;
            }
        }
        tail = out;
        minExpiry = min;
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return dropped;
    }

    /** @return a copy of the live entries, stride four, for a snapshot */
    long[] copyEntries() {
        return Arrays.copyOfRange(entries, head * STRIDE, tail * STRIDE);
    }
}
