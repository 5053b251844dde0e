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
 *
 * <p>It also keeps the user's device cursors (at-least-once mode): per device the last id it
 * acknowledged and the journal position of the latest CURSOR record that stored it. A user is
 * kept in the index while it has messages or devices, so cursors outlive an empty queue.
 */
final class UserQueue {

    /** Receives the journal position and the counted bytes of every entry removed. */
    interface Removal {
        void removed(long position, long bytes);
    }

    static final int STRIDE = 4;
    private static final String[] NO_DEVICES = {};
    private static final long[] NO_LONGS = {};

    final String uid;
    /** Set when the queue was removed from the map; holders must look the user up again. */
    boolean dead;
    private long[] entries;
    private int head;
    private int tail;
    private long minExpiry = Long.MAX_VALUE;
    private String[] deviceIds = NO_DEVICES;
    /** Per device: the cursor (last acknowledged id), then the position of its latest CURSOR record. */
    private long[] cursors = NO_LONGS;
    private int devices;

    /** A user with room for no entries yet: a user known only by its devices costs no entry array. */
    UserQueue(String uid) {
        this(uid, 0);
    }

    UserQueue(String uid, int capacity) {
        this.uid = uid;
        this.entries = capacity <= 0 ? NO_LONGS : new long[capacity * STRIDE];
    }

    int count() {
        return tail - head;
    }

    /** @return whether the user has neither messages nor devices: it can leave the index */
    boolean isEmpty() {
        return tail == head && devices == 0;
    }

    int deviceCount() {
        return devices;
    }

    /** @return the device's index, or -1 when it is not known */
    int deviceIndex(String deviceId) {
        for (int i = 0; i < devices; i++) {
            if (deviceIds[i].equals(deviceId)) {
                return i;
            }
        }
        return -1;
    }

    String deviceId(int device) {
        return deviceIds[device];
    }

    long cursor(int device) {
        return cursors[device * 2];
    }

    long cursorPosition(int device) {
        return cursors[device * 2 + 1];
    }

    /** @return the new device's index */
    int addDevice(String deviceId, long cursor, long position) {
        if (devices == deviceIds.length) {
            int n = Math.max(2, devices * 2);
            deviceIds = Arrays.copyOf(deviceIds, n);
            cursors = Arrays.copyOf(cursors, n * 2);
        }
        deviceIds[devices] = deviceId;
        cursors[devices * 2] = cursor;
        cursors[devices * 2 + 1] = position;
        return devices++;
    }

    /** Stores a device's cursor (never moving it backward) and the position of the record holding it. */
    void setCursor(int device, long cursor, long position) {
        cursors[device * 2] = Math.max(cursors[device * 2], cursor);
        cursors[device * 2 + 1] = position;
    }

    /**
     * @param device the index of the device whose cursor changes, or -1 for a device being added
     * @param cursor that device's new cursor
     * @return the smallest cursor over the devices with that change: every device acknowledged up to it
     */
    long minCursorWith(int device, long cursor) {
        long min = cursor;
        for (int i = 0; i < devices; i++) {
            if (i != device) {
                min = Math.min(min, cursors[i * 2]);
            }
        }
        return min;
    }

    /** @return the index of the first entry whose id is greater than {@code afterId} ({@link #count()} if none) */
    int indexAfter(long afterId) {
        int lo = head;
        int hi = tail;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (entries[mid * STRIDE] <= afterId) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - head;
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
        return indexAfter(upToId);
    }

    /** Removes the first {@code n} entries. */
    void removeFirst(int n, Removal removal) {
        for (int i = 0; i < n; i++) {
            removal.removed(entries[(head + i) * STRIDE + 2], entries[(head + i) * STRIDE + 3]);
        }
        head += n;
        if (head == tail) {
            emptied();
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
            emptied();
        }
        return dropped;
    }

    /**
     * No entries left: the array goes too. A user kept for its device cursors then holds no entry
     * array (which would otherwise stay at the largest size the user's queue ever had).
     */
    private void emptied() {
        head = 0;
        tail = 0;
        minExpiry = Long.MAX_VALUE;
        entries = NO_LONGS;
    }

    /** @return a copy of the live entries, stride four, for a snapshot */
    long[] copyEntries() {
        return Arrays.copyOfRange(entries, head * STRIDE, tail * STRIDE);
    }

    /** @return a copy of the device ids, for a snapshot */
    String[] copyDeviceIds() {
        return Arrays.copyOf(deviceIds, devices);
    }

    /** @return a copy of the cursors, stride two (cursor, record position), for a snapshot */
    long[] copyCursors() {
        return Arrays.copyOf(cursors, devices * 2);
    }
}
