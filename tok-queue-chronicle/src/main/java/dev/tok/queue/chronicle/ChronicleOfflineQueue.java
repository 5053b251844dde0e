package dev.tok.queue.chronicle;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.api.QueuedMessage;
import dev.tok.api.TokException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Queue} whose state is a Chronicle Queue journal of ENQ, ACK and CURSOR records plus an
 * in-memory per-user index (messages and device cursors) rebuilt at open (from the latest index
 * snapshot, then the records after it).
 *
 * <p>Ids come from one counter shared by all users, so they increase per user as well; at open it
 * resumes above every id in the snapshot and in the journal (ENQ ids, acknowledged ids, cursors).
 *
 * <p>Locking: every operation holds the state read lock and the user's monitor; a snapshot takes
 * the write lock just long enough to copy the index, and the sweeper takes it to delete cycle
 * files. Appends to the journal serialise on the journal's own lock.
 */
final class ChronicleOfflineQueue implements Queue {

    static final String LOCK_FILE = "tok-queue.lock";
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleOfflineQueue.class);
    private static final long NANOS = 1_000_000_000L;
    private static final long DISK_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final QueueSettings settings;
    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Journal journal;
    private final FileStore fileStore;
    private final ConcurrentHashMap<String, UserQueue> users = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Integer, CycleStats> cycles = new ConcurrentSkipListMap<>();
    private final ReentrantReadWriteLock state = new ReentrantReadWriteLock();
    private final AtomicLong nextId = new AtomicLong(1);
    /** Record bytes in the cycle files kept: what {@code max-disk-bytes} bounds. */
    private final AtomicLong diskBytes = new AtomicLong();
    /** Bytes of waiting messages: what {@code max-total-bytes} bounds. */
    private final AtomicLong waitingBytes = new AtomicLong();
    /** At or before the earliest expiry among waiting messages: no purge can free anything before it. */
    private final AtomicLong earliestExpiry = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong recordsSinceSnapshot = new AtomicLong();
    private final Object snapshotMonitor = new Object();
    private final Object purgeMonitor = new Object();
    private final UserQueue.Removal removal = this::removed;
    private final long maxTtlNanos;
    private final ScheduledExecutorService sweeper;
    private volatile long snapshotPosition = Journal.NONE;
    private volatile long diskCheckedAt = System.nanoTime() - DISK_CHECK_NANOS;
    private volatile long usableSpace = Long.MAX_VALUE;
    private volatile boolean closed;
    private volatile RecoveryReport recovery;
    /** How long the last snapshot held the write lock (operations wait meanwhile), and wrote its file. */
    private volatile long snapshotLockNanos;
    private volatile long snapshotWriteNanos;

    /** What the last open found, for logs and measurements. */
    record RecoveryReport(boolean snapshotUsed, long recordsReplayed, long messages, int users, long devices,
            long millis, long snapshotMillis, long replayMillis) {
    }

    private ChronicleOfflineQueue(QueueSettings settings, FileChannel lockChannel, FileLock lock, FileStore fileStore) {
        this.settings = settings;
        this.directory = settings.directory();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.fileStore = fileStore;
        this.maxTtlNanos = settings.maxTtl().toNanos();
        this.journal = Journal.open(directory, settings);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tok-chronicle-sweeper");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the directory: takes its lock file, opens the journal and rebuilds the index.
     */
    static ChronicleOfflineQueue open(QueueSettings settings) {
        Path dir = settings.directory().toAbsolutePath().normalize();
        settings = new QueueSettings(dir, settings.durability(), settings.maxTtl(), settings.rollCycle(),
                settings.maxPerUser(), settings.maxTotalBytes(), settings.maxDiskBytes(), settings.minFreeDisk(),
                settings.sweepInterval(),
                settings.snapshotEvery());
        FileStore store;
        try {
            Files.createDirectories(dir);
            store = Files.getFileStore(dir);
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("setting '" + QueueSettings.DIRECTORY + "' for queue 'chronicle' is '" + dir
                    + "', which cannot be created or used as a directory: " + e, e);
        }
        if (!Files.isWritable(dir)) {
            throw new ConfigurationException("setting '" + QueueSettings.DIRECTORY + "' for queue 'chronicle' is '" + dir
                    + "', which this process cannot write to; choose a writable directory or fix its permissions");
        }
        FileChannel channel;
        FileLock fileLock;
        try {
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new ConfigurationException("queue 'chronicle' cannot create its lock file in " + dir + ": " + e, e);
        }
        try {
            fileLock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new ConfigurationException("queue 'chronicle' directory " + dir
                    + " is already open in this JVM; close that queue first or use another directory", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ConfigurationException("queue 'chronicle' cannot lock " + dir.resolve(LOCK_FILE) + ": " + e, e);
        }
        if (fileLock == null) {
            closeQuietly(channel);
            throw new ConfigurationException("queue 'chronicle' directory " + dir
                    + " is in use by another process (it holds " + LOCK_FILE
                    + "); each directory serves one queue; choose another directory");
        }
        ChronicleOfflineQueue q;
        try {
            q = new ChronicleOfflineQueue(settings, channel, fileLock, store);
        } catch (RuntimeException | Error e) {
            closeQuietly(channel);
            throw e;
        }
        try {
            q.recover();
        } catch (RuntimeException | Error e) {
            q.journal.close();
            closeQuietly(channel);
            throw e;
        }
        long period = settings.sweepInterval().toMillis();
        q.sweeper.scheduleWithFixedDelay(q::sweep, period, period, TimeUnit.MILLISECONDS);
        return q;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    // ---------------------------------------------------------------- Queue

    /**
     * {@inheritDoc}
     *
     * <p>A message that has already expired is still written (and dropped at the next look at the
     * user): its id must be in the journal so that no later id, also after a restart, repeats it.
     */
    @Override
    public long enqueue(String uid, byte[] payload, Instant expiresAt) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Instant nowInstant = Instant.now();
        long now = toNanos(nowInstant);
        long limit = now + maxTtlNanos;
        long expiry;
        if (!expiresAt.isAfter(nowInstant)) {
            expiry = now; // already expired
        } else {
            expiry = expiresAt.getEpochSecond() >= limit / NANOS + 1 ? limit : Math.min(limit, toNanos(expiresAt));
        }
        byte[] uidBytes = uid.getBytes(StandardCharsets.UTF_8);
        int rec = Journal.enqueueRecordBytes(uidBytes.length, payload.length);
        if (rec > journal.maxRecordBytes()) {
            throw new QueueFullException("queue 'chronicle' cannot store a message of " + payload.length
                    + " bytes: Chronicle Queue stores records of at most " + journal.maxRecordBytes()
                    + " bytes (a quarter of its memory-mapping block); nothing was stored");
        }
        if (rec > settings.maxTotalBytes()) {
            throw totalBytesFull(payload.length);
        }
        checkDisk();
        long id = tryEnqueue(uid, uidBytes, payload, expiry, now, rec);
        if (id == TOTAL_BYTES_FULL) {
            if (now >= earliestExpiry.get()) {
                purgeAllExpired(now); // expired messages give their bytes back
                id = tryEnqueue(uid, uidBytes, payload, expiry, now, rec);
            }
            if (id == TOTAL_BYTES_FULL) {
                throw totalBytesFull(payload.length);
            }
        }
        // the newest position is at or after this record's: syncing to it covers this record
        journal.syncTo(journal.lastPosition());
        return id;
    }

    private static final long TOTAL_BYTES_FULL = Long.MIN_VALUE + 1;

    /** @return the new message's id, or {@link #TOTAL_BYTES_FULL} */
    private long tryEnqueue(String uid, byte[] uidBytes, byte[] payload, long expiry, long now, int rec) {
        state.readLock().lock();
        try {
            checkOpen();
            for (;;) {
                UserQueue q = users.computeIfAbsent(uid, UserQueue::new);
                synchronized (q) {
                    if (q.dead) {
                        continue;
                    }
                    long position;
                    long id;
                    boolean added = false;
                    try {
                        q.purgeExpired(now, removal);
                        if (q.count() >= settings.maxPerUser()) {
                            throw new QueueFullException("queue 'chronicle' holds " + q.count() + " messages for user '" + uid
                                    + "', the most allowed by setting '" + QueueSettings.MAX_MESSAGES_PER_USER + "' ("
                                    + settings.maxPerUser() + "); raise it or deliver the waiting messages first");
                        }
                        if (!reserve(waitingBytes, rec, settings.maxTotalBytes())) {
                            return TOTAL_BYTES_FULL;
                        }
                        if (!reserve(diskBytes, rec, settings.maxDiskBytes())) {
                            waitingBytes.addAndGet(-rec);
                            throw new QueueFullException("queue 'chronicle' keeps " + diskBytes.get() + " bytes of records in "
                                    + directory + "; a message of " + payload.length + " bytes would pass setting '"
                                    + QueueSettings.MAX_DISK_BYTES + "' (" + settings.maxDiskBytes() + "). Space returns when"
                                    + " every message in an old cycle file was delivered or expired; or raise the setting");
                        }
                        id = nextId.getAndIncrement();
                        try {
                            position = journal.appendEnqueue(id, expiry, uidBytes, payload);
                        } catch (RuntimeException | Error e) {
                            waitingBytes.addAndGet(-rec);
                            diskBytes.addAndGet(-rec);
                            throw e;
                        }
                        q.add(id, expiry, position, rec);
                        added = true;
                    } finally {
                        retireIfEmpty(q);
                    }
                    if (added) {
                        CycleStats s = stats(journal.cycleOf(position));
                        s.recordWritten(position, rec);
                        s.messageAdded(expiry);
                        earliestExpiry.accumulateAndGet(expiry, Math::min);
                        recordsSinceSnapshot.incrementAndGet();
                    }
                    return id;
                }
            }
        } finally {
            state.readLock().unlock();
        }
    }

    private static boolean reserve(AtomicLong counter, long bytes, long max) {
        long after = counter.addAndGet(bytes);
        if (after > max) {
            counter.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    private QueueFullException totalBytesFull(int payloadLength) {
        return new QueueFullException("queue 'chronicle' holds " + waitingBytes.get() + " bytes of waiting messages; a message of "
                + payloadLength + " bytes would pass setting '" + QueueSettings.MAX_TOTAL_BYTES + "' ("
                + settings.maxTotalBytes() + "); raise it or deliver the waiting messages first");
    }

    @Override
    public List<QueuedMessage> peek(String uid, int max) {
        return read(uid, Long.MIN_VALUE, max);
    }

    @Override
    public List<QueuedMessage> read(String uid, long afterId, int max) {
        Objects.requireNonNull(uid, "uid");
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        long now = nowNanos();
        state.readLock().lock();
        try {
            checkOpen();
            UserQueue q = users.get(uid);
            if (q == null) {
                return List.of();
            }
            synchronized (q) {
                if (q.dead) {
                    return List.of();
                }
                q.purgeExpired(now, removal);
                int from = q.indexAfter(afterId);
                int to = from + Math.min(max, q.count() - from);
                List<QueuedMessage> out = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    byte[] payload = journal.readPayload(q.position(i));
                    if (payload == null) {
                        LOG.warn("queue 'chronicle': message {} for user '{}' is missing from {} (a cycle file was removed"
                                + " by something else); skipping it", q.id(i), uid, directory);
                        continue;
                    }
                    out.add(new QueuedMessage(q.id(i), payload, toInstant(q.expiry(i))));
                }
                retireIfEmpty(q);
                return out;
            }
        } finally {
            state.readLock().unlock();
        }
    }

    @Override
    public void acknowledge(String uid, long upToId) {
        Objects.requireNonNull(uid, "uid");
        state.readLock().lock();
        try {
            checkOpen();
            UserQueue q = users.get(uid);
            if (q == null) {
                return;
            }
            synchronized (q) {
                if (q.dead) {
                    return;
                }
                int n = q.countUpTo(upToId);
                if (n == 0) {
                    return;
                }
                byte[] uidBytes = uid.getBytes(StandardCharsets.UTF_8);
                // the id of the last message removed rather than upToId: replay removes the same, and
                // the journal never holds an id larger than one given out (ids resume above it)
                long position = journal.appendAck(q.id(n - 1), uidBytes);
                recordWritten(position, Journal.ackRecordBytes(uidBytes.length));
                q.removeFirst(n, removal);
                retireIfEmpty(q);
            }
        } finally {
            state.readLock().unlock();
        }
    }

    @Override
    public long cursor(Device device) {
        return moveCursor(device, 0, false);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code upToId} is capped at the largest id this queue has given out, so a device can never
     * acknowledge messages that do not exist yet. An acknowledgement that does not move the cursor
     * writes nothing. One CURSOR record holds the new cursor and what it removed; with
     * {@code durability=sync} it is not synced unless it registers the device (a lost advance only
     * means messages delivered again).
     */
    @Override
    public void acknowledge(Device device, long upToId) {
        moveCursor(device, upToId, true);
    }

    /**
     * Registers an unknown device at {@code upToId}, or (with {@code advance}) moves a known
     * device's cursor forward to it, removing what every device then acknowledged.
     *
     * @return the device's cursor afterwards
     */
    private long moveCursor(Device device, long upToId, boolean advance) {
        Objects.requireNonNull(device, "device");
        long now = nowNanos();
        long registered = Journal.NONE;
        long upTo = Math.max(0, Math.min(upToId, nextId.get() - 1));
        state.readLock().lock();
        try {
            checkOpen();
            for (;;) {
                UserQueue q = users.computeIfAbsent(device.uid(), UserQueue::new);
                synchronized (q) {
                    if (q.dead) {
                        continue;
                    }
                    int d = q.deviceIndex(device.deviceId());
                    if (d >= 0 && (!advance || upTo <= q.cursor(d))) {
                        return q.cursor(d);
                    }
                    try {
                        q.purgeExpired(now, removal);
                        long position = storeCursor(q, d, device.deviceId(), upTo, q.minCursorWith(d, upTo));
                        if (d < 0) {
                            registered = position;
                        }
                    } finally {
                        retireIfEmpty(q);
                    }
                    break;
                }
            }
        } finally {
            state.readLock().unlock();
        }
        // a registration pins the user's messages: with durability=sync it must survive an OS crash
        journal.syncTo(registered);
        return upTo;
    }

    /**
     * Writes a CURSOR record for a device, then applies it: the device's cursor, and the removal of
     * every message with an id up to {@code trimTo}. The caller holds the read lock and the user's
     * monitor.
     *
     * @param device the device's index, or -1 to register it
     * @return the record's position
     */
    private long storeCursor(UserQueue q, int device, String deviceId, long cursor, long trimTo) {
        int n = q.countUpTo(trimTo);
        long trimmed = n > 0 ? q.id(n - 1) : 0;
        byte[] uidBytes = q.uid.getBytes(StandardCharsets.UTF_8);
        byte[] deviceBytes = deviceId.getBytes(StandardCharsets.UTF_8);
        long position = journal.appendCursor(cursor, trimmed, uidBytes, deviceBytes);
        recordWritten(position, Journal.cursorRecordBytes(uidBytes.length, deviceBytes.length));
        cursorMoved(device < 0 ? Journal.NONE : q.cursorPosition(device), position);
        if (device < 0) {
            q.addDevice(deviceId, cursor, position);
        } else {
            q.setCursor(device, cursor, position);
        }
        q.removeFirst(n, removal);
        return position;
    }

    /** Counts a record the queue wrote (not an ENQ) against its cycle and {@code max-disk-bytes}. */
    private void recordWritten(long position, int recordBytes) {
        stats(journal.cycleOf(position)).recordWritten(position, recordBytes);
        diskBytes.addAndGet(recordBytes);
        recordsSinceSnapshot.incrementAndGet();
    }

    /** Moves a device's cursor count from the cycle of its previous CURSOR record to that of the new one. */
    private void cursorMoved(long from, long to) {
        if (from != Journal.NONE) {
            CycleStats old = cycles.get(journal.cycleOf(from));
            if (old != null) {
                old.cursors.decrementAndGet();
            }
        }
        stats(journal.cycleOf(to)).cursors.incrementAndGet();
    }

    /** Takes a user that has neither messages nor devices out of the index. The caller holds its monitor. */
    private void retireIfEmpty(UserQueue q) {
        if (q.isEmpty()) {
            q.dead = true;
            users.remove(q.uid, q);
        }
    }

    @Override
    public int size(String uid) {
        Objects.requireNonNull(uid, "uid");
        long now = nowNanos();
        state.readLock().lock();
        try {
            checkOpen();
            UserQueue q = users.get(uid);
            if (q == null) {
                return 0;
            }
            synchronized (q) {
                if (q.dead) {
                    return 0;
                }
                q.purgeExpired(now, removal);
                return q.count();
            }
        } finally {
            state.readLock().unlock();
        }
    }

    @Override
    public void close() {
        synchronized (snapshotMonitor) {
            if (closed) {
                return;
            }
        }
        sweeper.shutdown(); // no interrupt: a running sweep finishes, later ones are cancelled
        try {
            if (!sweeper.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("queue 'chronicle': the sweeper of {} did not stop within 30 s", directory);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (snapshotMonitor) {
            if (closed) {
                return;
            }
            try {
                snapshot();
            } catch (IOException | RuntimeException e) {
                LOG.warn("queue 'chronicle': could not write the index snapshot of {} at close; the next open replays"
                        + " the journal instead", directory, e);
            }
            state.writeLock().lock();
            try {
                closed = true;
                journal.close();
            } finally {
                state.writeLock().unlock();
                try {
                    lock.release();
                } catch (IOException ignored) {
                    // the channel close below releases it as well
                }
                closeQuietly(lockChannel);
            }
        }
    }

    @Override
    public String toString() {
        return "ChronicleOfflineQueue[" + directory + "]";
    }

    // ---------------------------------------------------------------- package-private, for tests and tools

    RecoveryReport recoveryReport() {
        return recovery;
    }

    /** @return record bytes in the cycle files the queue still keeps */
    long diskBytes() {
        return diskBytes.get();
    }

    /** @return bytes of waiting messages */
    long waitingBytes() {
        return waitingBytes.get();
    }

    /** @return how many users have messages or devices in the index (expired messages not yet purged count) */
    int userCount() {
        return users.size();
    }

    /** @return milliseconds the last snapshot held the write lock, and spent writing its file */
    long[] lastSnapshotMillis() {
        return new long[] {TimeUnit.NANOSECONDS.toMillis(snapshotLockNanos), TimeUnit.NANOSECONDS.toMillis(snapshotWriteNanos)};
    }

    /** Writes a snapshot now, on the caller's thread. */
    void snapshotNow() throws IOException {
        synchronized (snapshotMonitor) {
            checkOpen();
            recordsSinceSnapshot.set(0);
            snapshotPosition = Journal.NONE; // force: even when nothing changed
            snapshot();
        }
    }

    /** Runs one sweep now, on the caller's thread. */
    void sweepNow() {
        sweep();
    }

    // ---------------------------------------------------------------- recovery

    private void recover() {
        long t0 = System.nanoTime();
        long now = nowNanos();
        Snapshot snap = null;
        try {
            snap = Snapshot.read(directory);
        } catch (IOException e) {
            LOG.warn("queue 'chronicle': ignoring the index snapshot in {} ({}); replaying the whole journal instead."
                    + " Messages acknowledged in cycle files that were already deleted may be delivered again (device"
                    + " cursors are kept: the journal always holds the latest record of each)",
                    directory, e.toString());
        }
        long after = Journal.NONE;
        if (snap != null) {
            after = snap.position();
            nextId.set(snap.nextId());
            for (CycleStats.Frozen f : snap.cycles()) {
                CycleStats s = CycleStats.of(f);
                s.live.set(0);
                cycles.put(f.cycle(), s);
            }
            long bytes = 0;
            long earliest = Long.MAX_VALUE;
            java.util.HashMap<Integer, long[]> live = new java.util.HashMap<>();
            int lastCycle = Integer.MIN_VALUE;
            long[] lastLive = null;
            for (Snapshot.User u : snap.users()) {
                long[] e = u.entries();
                int stride = UserQueue.STRIDE;
                UserQueue q = new UserQueue(u.uid(), e.length / stride);
                for (int i = 0; i + stride - 1 < e.length; i += stride) {
                    if (e[i + 1] > now) {
                        q.add(e[i], e[i + 1], e[i + 2], e[i + 3]);
                        int cycle = journal.cycleOf(e[i + 2]);
                        if (cycle != lastCycle) {
                            lastCycle = cycle;
                            lastLive = live.computeIfAbsent(cycle, c -> new long[1]);
                        }
                        lastLive[0]++;
                        bytes += e[i + 3];
                        earliest = Math.min(earliest, e[i + 1]);
                    }
                }
                String[] devices = u.deviceIds();
                for (int d = 0; d < devices.length; d++) {
                    q.addDevice(devices[d], u.cursors()[d * 2], u.cursors()[d * 2 + 1]);
                }
                if (!q.isEmpty()) {
                    users.put(u.uid(), q);
                }
            }
            live.forEach((cycle, n) -> stats(cycle).live.addAndGet(n[0]));
            waitingBytes.addAndGet(bytes);
            earliestExpiry.accumulateAndGet(earliest, Math::min);
            snapshotPosition = after;
        }
        long tReplay = System.nanoTime();
        long replayed = journal.replay(after, new Journal.Visitor() {
            @Override
            public void enqueued(long position, int bytes, long id, long expiry, String uid) {
                CycleStats s = stats(journal.cycleOf(position));
                s.recordWritten(position, bytes);
                if (id >= nextId.get()) {
                    nextId.set(id + 1);
                }
                if (expiry > now) {
                    users.computeIfAbsent(uid, UserQueue::new).add(id, expiry, position, bytes);
                    s.messageAdded(expiry);
                    waitingBytes.addAndGet(bytes);
                    earliestExpiry.accumulateAndGet(expiry, Math::min);
                } else {
                    s.maxExpiry.accumulateAndGet(expiry, Math::max);
                }
            }

            @Override
            public void acknowledged(long position, int bytes, long upTo, String uid) {
                stats(journal.cycleOf(position)).recordWritten(position, bytes);
                idSeen(upTo);
                UserQueue q = users.get(uid);
                if (q != null) {
                    q.removeFirst(q.countUpTo(upTo), removal);
                    retireIfEmpty(q);
                }
            }

            @Override
            public void cursor(long position, int bytes, long cursor, long trimmedUpTo, String uid, String deviceId) {
                stats(journal.cycleOf(position)).recordWritten(position, bytes);
                idSeen(Math.max(cursor, trimmedUpTo));
                UserQueue q = users.computeIfAbsent(uid, UserQueue::new);
                int d = q.deviceIndex(deviceId);
                if (d < 0) {
                    q.addDevice(deviceId, cursor, position);
                } else {
                    q.setCursor(d, cursor, position);
                }
                q.removeFirst(q.countUpTo(trimmedUpTo), removal);
            }

            /** Ids resume above every id the journal names (an ACK written by an older tok holds the hub's upTo as given). */
            private void idSeen(long id) {
                if (id >= nextId.get() && id < Long.MAX_VALUE) {
                    nextId.set(id + 1);
                }
            }
        });
        long tEnd = System.nanoTime();
        recordsSinceSnapshot.set(replayed);
        int current = journal.currentCycle();
        for (int c : journal.cyclesOnDisk()) {
            if (!cycles.containsKey(c) && c < current) {
                cycles.put(c, new CycleStats(c)); // a file with none of our records: deleted at the next sweep
            }
        }
        long total = 0;
        for (CycleStats s : cycles.values()) {
            total += s.bytes.get();
        }
        diskBytes.set(total);
        long messages = 0;
        long devices = 0;
        for (UserQueue q : users.values()) {
            messages += q.count();
            for (int d = 0; d < q.deviceCount(); d++) {
                stats(journal.cycleOf(q.cursorPosition(d))).cursors.incrementAndGet();
            }
            devices += q.deviceCount();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        recovery = new RecoveryReport(snap != null, replayed, messages, users.size(), devices, millis,
                TimeUnit.NANOSECONDS.toMillis(tReplay - t0), TimeUnit.NANOSECONDS.toMillis(tEnd - tReplay));
        LOG.info("queue 'chronicle' opened {}: {} messages and {} device cursors for {} users, recovered in {} ms ({}"
                + " snapshot: {} ms, {} records replayed: {} ms; durability {})", directory, messages, devices,
                users.size(), millis, snap != null ? "from" : "no", recovery.snapshotMillis(), replayed, recovery.replayMillis(), settings.durability().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    }

    // ---------------------------------------------------------------- sweeping and snapshots

    private void sweep() {
        try {
            if (closed) {
                return;
            }
            refreshUsableSpace();
            long now = nowNanos();
            int current = journal.currentCycle();
            Map<Integer, CycleStats> old = cycles.headMap(current);
            boolean deletable = false;
            boolean uncovered = false;
            if (now >= earliestExpiry.get()) {
                purgeAllExpired(now);
            }
            for (CycleStats s : old.values()) {
                if (s.live.get() <= 0) {
                    deletable = true;
                    if (s.maxPosition.get() > snapshotPosition) {
                        uncovered = true;
                    }
                }
            }
            if (uncovered || recordsSinceSnapshot.get() >= settings.snapshotEvery()) {
                synchronized (snapshotMonitor) {
                    if (closed) {
                        return;
                    }
                    snapshot();
                }
            }
            if (deletable) {
                deleteDeadCycles(current);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("queue 'chronicle': sweeping {} failed; will retry", directory, e);
        }
    }

    /**
     * Drops expired messages of every user (giving back their bytes and their cycles' counts).
     * Costs a pass over all users; runs from the sweeper, and from an enqueue refused by
     * {@code max-total-bytes} once something can have expired.
     */
    private void purgeAllExpired(long now) {
        synchronized (purgeMonitor) {
            if (now < earliestExpiry.get()) {
                return; // another purge just ran
            }
            // new messages lower it concurrently; raise it only to what this pass saw
            earliestExpiry.set(Long.MAX_VALUE);
            long earliest = Long.MAX_VALUE;
            state.readLock().lock();
            try {
                for (UserQueue q : users.values()) {
                    synchronized (q) {
                        if (q.dead) {
                            continue;
                        }
                        q.purgeExpired(now, removal);
                        retireIfEmpty(q);
                        if (q.count() > 0) {
                            earliest = Math.min(earliest, q.minExpiry());
                        }
                    }
                }
            } finally {
                state.readLock().unlock();
                earliestExpiry.accumulateAndGet(earliest, Math::min);
            }
        }
    }

    private void deleteDeadCycles(int current) {
        List<Integer> deleted = new ArrayList<>();
        state.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            List<CycleStats> dead = new ArrayList<>();
            for (CycleStats s : cycles.headMap(current).values()) {
                if (s.live.get() <= 0 && s.maxPosition.get() <= snapshotPosition) {
                    dead.add(s);
                }
            }
            rewriteCursorsOf(dead);
            for (CycleStats s : dead) {
                journal.deleteCycle(s.cycle);
                cycles.remove(s.cycle);
                diskBytes.addAndGet(-s.bytes.get());
                deleted.add(s.cycle);
            }
        } finally {
            state.writeLock().unlock();
        }
        if (!deleted.isEmpty()) {
            LOG.debug("queue 'chronicle': deleted cycle files {} in {}", deleted, directory);
        }
    }

    /**
     * Writes the CURSOR record of every device whose latest one is in a cycle about to be deleted
     * again, at the end of the journal: the journal alone then still holds every cursor (a replay
     * without the snapshot keeps them). The caller holds the write lock.
     */
    private void rewriteCursorsOf(List<CycleStats> dead) {
        HashSet<Integer> doomed = new HashSet<>();
        for (CycleStats s : dead) {
            if (s.cursors.get() > 0) {
                doomed.add(s.cycle);
            }
        }
        if (doomed.isEmpty()) {
            return;
        }
        int rewritten = 0;
        for (UserQueue q : users.values()) {
            for (int d = 0; d < q.deviceCount(); d++) {
                if (doomed.contains(journal.cycleOf(q.cursorPosition(d)))) {
                    storeCursor(q, d, q.deviceId(d), q.cursor(d), 0);
                    rewritten++;
                }
            }
        }
        LOG.debug("queue 'chronicle': wrote {} device cursors again before deleting cycle files {} in {}", rewritten,
                doomed, directory);
    }

    /** Writes a snapshot. Callers hold {@link #snapshotMonitor}. */
    private void snapshot() throws IOException {
        Snapshot snap;
        long t0 = System.nanoTime();
        state.writeLock().lock();
        try {
            long position = journal.lastPosition();
            if (position == snapshotPosition && Files.exists(Snapshot.file(directory))) {
                recordsSinceSnapshot.set(0);
                return;
            }
            List<Snapshot.User> us = new ArrayList<>(users.size());
            for (UserQueue q : users.values()) {
                if (!q.isEmpty()) {
                    us.add(new Snapshot.User(q.uid, q.copyEntries(), q.copyDeviceIds(), q.copyCursors()));
                }
            }
            List<CycleStats.Frozen> cs = new ArrayList<>(cycles.size());
            for (CycleStats s : cycles.values()) {
                cs.add(s.freeze());
            }
            snap = new Snapshot(position, nextId.get(), cs, us);
            recordsSinceSnapshot.set(0);
        } finally {
            state.writeLock().unlock();
        }
        long t1 = System.nanoTime();
        snap.write(directory);
        snapshotPosition = snap.position();
        snapshotLockNanos = t1 - t0;
        snapshotWriteNanos = System.nanoTime() - t1;
    }

    // ---------------------------------------------------------------- helpers

    private void removed(long position, long bytes) {
        waitingBytes.addAndGet(-bytes);
        CycleStats s = cycles.get(journal.cycleOf(position));
        if (s != null) {
            s.live.decrementAndGet();
        }
    }

    private CycleStats stats(int cycle) {
        CycleStats s = cycles.get(cycle);
        return s != null ? s : cycles.computeIfAbsent(cycle, CycleStats::new);
    }

    private void checkOpen() {
        if (closed) {
            throw new TokException("queue 'chronicle' at " + directory + " is closed");
        }
    }

    private void checkDisk() {
        if (settings.minFreeDisk() <= 0) {
            return;
        }
        if (System.nanoTime() - diskCheckedAt >= DISK_CHECK_NANOS) {
            refreshUsableSpace();
        }
        long usable = usableSpace;
        if (usable < settings.minFreeDisk()) {
            throw new QueueFullException("queue 'chronicle': the file system of " + directory + " has " + usable
                    + " bytes free, less than setting '" + QueueSettings.MIN_FREE_DISK + "' (" + settings.minFreeDisk()
                    + "); free disk space or lower the setting");
        }
    }

    private void refreshUsableSpace() {
        diskCheckedAt = System.nanoTime();
        try {
            usableSpace = fileStore.getUsableSpace();
        } catch (IOException e) {
            LOG.warn("queue 'chronicle': cannot read the free space of {}: {}", directory, e.toString());
        }
    }

    private static long nowNanos() {
        return toNanos(Instant.now());
    }

    private static long toNanos(Instant i) {
        return i.getEpochSecond() * NANOS + i.getNano();
    }

    private static Instant toInstant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS), Math.floorMod(nanos, NANOS));
    }
}
