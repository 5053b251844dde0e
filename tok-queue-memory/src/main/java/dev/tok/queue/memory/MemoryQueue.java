package dev.tok.queue.memory;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.api.QueuedMessage;
import dev.tok.api.TokException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory {@link Queue}.
 *
 * <p>Each user has a {@link UserQueue}: its messages in an {@link EntryRing} (id order, array
 * backed, so {@link #read} finds the first message after a cursor by binary search) and, once a
 * device of the user was seen in at-least-once mode, its {@link DeviceCursors}, all guarded by
 * the user's own monitor, so operations on different users never contend on a lock and every
 * operation on one user is atomic (an acknowledgement computes the smallest cursor and trims
 * under the same monitor as a device's registration, so it never trims with a stale minimum).
 * The map of users is a {@link ConcurrentHashMap}; the total byte count is an {@link AtomicLong}
 * updated with a compare-and-set reservation, so the global bound holds exactly under
 * concurrency. Ids come from one {@link AtomicLong} (lock-free) and are taken under the user's
 * monitor, so they increase within a user in the order of its messages, also after the user's
 * queue was dropped and recreated: a stale acknowledge can never remove a newer message.
 *
 * <p>Expired messages are removed lazily whenever a user's queue is touched (only when its
 * earliest expiry has passed, so the common case costs one comparison) and by one shared
 * sweeper thread for users nobody touches. A user's queue that holds no message and knows no
 * device is removed from the map at once (under its monitor, marked dead so a racing call
 * retries on a fresh one). A user with a known device stays in the map until {@link #close()},
 * because a forgotten device would later lose the messages the other devices trimmed: about 200
 * bytes per user plus the user id, and per device ever seen its device id string and 12 bytes
 * (64-bit JVM, compressed references). That memory is neither bounded nor counted against
 * {@code max-total-bytes} (the README gives the arithmetic). A refusal for lack of bytes also
 * asks the sweeper to run now (at most once per 100 ms).
 */
final class MemoryQueue implements Queue {

    /** Bytes counted per message on top of its payload: entry, array header, deque slot. */
    static final int OVERHEAD_BYTES = 64;

    private static final Logger LOG = LoggerFactory.getLogger(MemoryQueue.class);
    private static final AtomicLong INSTANCES = new AtomicLong();
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long MIN_SWEEP_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final int maxPerUser;
    private final long maxTotalBytes;
    private final ConcurrentHashMap<String, UserQueue> users = new ConcurrentHashMap<>();
    private final AtomicLong usedBytes = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledThreadPoolExecutor sweeper;
    private final String sweeperThreadName;
    private final AtomicBoolean sweepRequested = new AtomicBoolean();
    /** When the latest sweep started; written by the sweeper thread only. */
    private volatile long lastSweepStart = System.nanoTime() - MIN_SWEEP_GAP_NANOS;
    private final AtomicLong lastFullWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private volatile boolean closed;

    MemoryQueue(int maxPerUser, long maxTotalBytes, Duration sweepInterval) {
        this.maxPerUser = maxPerUser;
        this.maxTotalBytes = maxTotalBytes;
        this.sweeperThreadName = "tok-memory-queue-sweeper-" + INSTANCES.incrementAndGet();
        this.sweeper = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, sweeperThreadName);
            t.setDaemon(true);
            return t;
        });
        sweeper.setRemoveOnCancelPolicy(true);
        sweeper.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        long millis = Math.max(1, sweepInterval.toMillis());
        sweeper.scheduleWithFixedDelay(this::sweepSafely, millis, millis, TimeUnit.MILLISECONDS);
        LOG.debug("memory queue open: max-messages-per-user={}, max-total-bytes={}, sweep-interval={}",
                maxPerUser, maxTotalBytes, sweepInterval);
    }

    /** One user's messages and device cursors. Every field is guarded by this object's monitor. */
    private static final class UserQueue {
        final EntryRing entries = new EntryRing();
        /** The user's devices in at-least-once mode; {@code null} until one is seen. */
        DeviceCursors devices;
        /** No entry expires before this; {@code null} when empty. May be earlier than the truth. */
        Instant earliestExpiry;
        /** Removed from the map; whoever finds it must look up the user again. */
        boolean dead;

        DeviceCursors devices() {
            if (devices == null) {
                devices = new DeviceCursors();
            }
            return devices;
        }
    }

    /**
     * Appends a message; the caller's thread does the work under the user's monitor.
     *
     * <p>A message already expired is not stored: it still gets an id, which is returned.
     */
    @Override
    public long enqueue(String uid, byte[] payload, Instant expiresAt) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(expiresAt, "expiresAt");
        ensureOpen();
        Instant now = Instant.now();
        if (!expiresAt.isAfter(now)) {
            LOG.trace("message for '{}' expired before it was queued ({}); dropped", uid, expiresAt);
            return ids.incrementAndGet();
        }
        long cost = Entry.cost(payload);
        while (true) {
            UserQueue q = users.computeIfAbsent(uid, k -> new UserQueue());
            synchronized (q) {
                if (q.dead) {
                    continue;
                }
                purgeIfDue(q, now);
                if (q.entries.size() >= maxPerUser) {
                    throw full("user '" + uid + "' already has " + q.entries.size()
                            + " messages kept, the max-messages-per-user bound of " + maxPerUser
                            + " (in at-least-once mode a message is kept until every known device of the user"
                            + " acknowledged it); raise max-messages-per-user (default "
                            + MemoryQueueProvider.DEFAULT_MAX_MESSAGES_PER_USER + ") or give the messages a shorter ttl");
                }
                long held = reserve(cost);
                if (held >= 0) {
                    dropIfIdle(uid, q);
                    requestSweep();
                    throw full("the memory queue holds " + held + " of its max-total-bytes bound of "
                            + maxTotalBytes + " bytes and this message needs " + cost
                            + " (payload + " + OVERHEAD_BYTES + " bytes bookkeeping); raise max-total-bytes (default "
                            + MemoryQueueProvider.DEFAULT_MAX_TOTAL_BYTES + " = 256MiB) or give the messages a shorter ttl");
                }
                long id = ids.incrementAndGet();
                q.entries.addLast(new Entry(id, payload, expiresAt));
                if (q.earliestExpiry == null || expiresAt.isBefore(q.earliestExpiry)) {
                    q.earliestExpiry = expiresAt;
                }
                return id;
            }
        }
    }

    @Override
    public List<QueuedMessage> peek(String uid, int max) {
        return read(uid, Long.MIN_VALUE, max);
    }

    /**
     * Reads after an id under the user's monitor, in the caller's thread: O(log n) to find the
     * first message (binary search over the id-ordered ring) plus O(max) to copy.
     */
    @Override
    public List<QueuedMessage> read(String uid, long afterId, int max) {
        Objects.requireNonNull(uid, "uid");
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        ensureOpen();
        UserQueue q = users.get(uid);
        if (q == null) {
            return List.of();
        }
        synchronized (q) {
            if (q.dead) {
                return List.of();
            }
            purgeIfDue(q, Instant.now());
            if (dropIfIdle(uid, q)) {
                return List.of();
            }
            return q.entries.copy(q.entries.indexAfter(afterId), max);
        }
    }

    /**
     * Returns the device's cursor, registering it at 0 if new, under the user's monitor:
     * O(devices of the user). From the first call on, the user stays in memory until
     * {@link #close()} (see the class comment).
     */
    @Override
    public long cursor(Device device) {
        Objects.requireNonNull(device, "device");
        ensureOpen();
        while (true) {
            UserQueue q = users.computeIfAbsent(device.uid(), k -> new UserQueue());
            synchronized (q) {
                if (!q.dead) {
                    return q.devices().getOrRegister(device.deviceId());
                }
            }
        }
    }

    /**
     * Moves the device's cursor forward and, if that can free anything (the oldest message is at
     * most the new cursor), removes the messages up to the smallest cursor of the user's
     * devices, all under the user's monitor: O(devices of the user + removed).
     */
    @Override
    public void acknowledge(Device device, long upToId) {
        Objects.requireNonNull(device, "device");
        ensureOpen();
        while (true) {
            UserQueue q = users.computeIfAbsent(device.uid(), k -> new UserQueue());
            synchronized (q) {
                if (q.dead) {
                    continue;
                }
                long cursor = q.devices().advance(device.deviceId(), upToId);
                Entry oldest = q.entries.first();
                if (oldest != null && oldest.id() <= cursor) {
                    removeThrough(q, q.devices.min());
                }
                return;
            }
        }
    }

    @Override
    public void acknowledge(String uid, long upToId) {
        Objects.requireNonNull(uid, "uid");
        ensureOpen();
        UserQueue q = users.get(uid);
        if (q == null) {
            return;
        }
        synchronized (q) {
            if (q.dead) {
                return;
            }
            removeThrough(q, upToId);
            dropIfIdle(uid, q);
        }
    }

    @Override
    public int size(String uid) {
        Objects.requireNonNull(uid, "uid");
        ensureOpen();
        UserQueue q = users.get(uid);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            if (q.dead) {
                return 0;
            }
            purgeIfDue(q, Instant.now());
            int n = q.entries.size();
            dropIfIdle(uid, q);
            return n;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sweeper.shutdownNow();
        int userCount = users.size();
        users.clear();
        usedBytes.set(0);
        LOG.debug("memory queue closed; {} users' messages discarded", userCount);
    }

    // ---------------------------------------------------------------- internals

    private void ensureOpen() {
        if (closed) {
            throw new TokException("the memory queue is closed; it cannot be used after close() (the hub closes its queue on Hub.close())");
        }
    }

    /** @return -1 if {@code cost} bytes were reserved, else the bytes in use that left no room */
    private long reserve(long cost) {
        long used;
        do {
            used = usedBytes.get();
            if (used + cost > maxTotalBytes) {
                return used;
            }
        } while (!usedBytes.compareAndSet(used, used + cost));
        return -1;
    }

    private QueueFullException full(String message) {
        long now = System.nanoTime();
        long last = lastFullWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastFullWarning.compareAndSet(last, now)) {
            LOG.warn("memory queue refused a message (further refusals logged at DEBUG for a minute): {}", message);
        } else {
            LOG.debug("memory queue refused a message: {}", message);
        }
        return new QueueFullException(message);
    }

    /** Removes the user's expired messages if the earliest expiry has passed. Holds q's monitor. */
    private void purgeIfDue(UserQueue q, Instant now) {
        if (q.earliestExpiry == null || q.earliestExpiry.isAfter(now)) {
            return;
        }
        long before = q.entries.cost();
        q.earliestExpiry = q.entries.removeExpired(now);
        usedBytes.addAndGet(q.entries.cost() - before);
    }

    /** Removes the user's messages up to {@code upToId} and releases their bytes. Holds q's monitor. */
    private void removeThrough(UserQueue q, long upToId) {
        long before = q.entries.cost();
        if (q.entries.removeThrough(upToId) > 0) {
            usedBytes.addAndGet(q.entries.cost() - before);
            if (q.entries.isEmpty()) {
                q.earliestExpiry = null;
            }
        }
    }

    /**
     * Drops the user's queue from the map when it holds no message and knows no device (a known
     * device's cursor must outlive the messages: forgetting it would let the other devices'
     * acknowledgements remove what it has not received). Holds q's monitor; never called inside a
     * map compute function, so the monitor and the map's bin locks cannot deadlock.
     */
    private boolean dropIfIdle(String uid, UserQueue q) {
        if (!q.entries.isEmpty() || q.devices != null) {
            return false;
        }
        q.dead = true;
        q.earliestExpiry = null;
        users.remove(uid, q);
        return true;
    }

    /**
     * Asks for a sweep soon: at once, unless one started less than {@link #MIN_SWEEP_GAP_NANOS}
     * ago, so a queue that stays full cannot keep the sweeper thread busy.
     */
    private void requestSweep() {
        if (sweepRequested.compareAndSet(false, true)) {
            long delay = Math.max(0, lastSweepStart + MIN_SWEEP_GAP_NANOS - System.nanoTime());
            try {
                sweeper.schedule(this::sweepSafely, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                sweepRequested.set(false); // closed meanwhile
            }
        }
    }

    private void sweepSafely() {
        sweepRequested.set(false);
        lastSweepStart = System.nanoTime();
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.error("memory queue sweep failed; it runs again at the next interval", e);
        }
    }

    /** Removes expired messages and idle queues of every user. Runs on the sweeper thread. */
    void sweep() {
        Instant now = Instant.now();
        long before = usedBytes.get();
        int dropped = 0;
        for (Map.Entry<String, UserQueue> me : users.entrySet()) {
            if (closed) {
                return;
            }
            UserQueue q = me.getValue();
            synchronized (q) {
                if (q.dead) {
                    continue;
                }
                purgeIfDue(q, now);
                if (dropIfIdle(me.getKey(), q)) {
                    dropped++;
                }
            }
        }
        if (dropped > 0 && LOG.isDebugEnabled()) {
            LOG.debug("memory queue sweep: {} users emptied, {} bytes released, {} users waiting",
                    dropped, before - usedBytes.get(), users.size());
        }
    }

    /** @return the bytes counted against max-total-bytes, for tests */
    long usedBytes() {
        return usedBytes.get();
    }

    /** @return the name of this queue's sweeper thread, for tests */
    String sweeperThreadName() {
        return sweeperThreadName;
    }

    /** @return how many users have a queue in the map (messages or known devices), for tests */
    int userCount() {
        return users.size();
    }
}
