package dev.tok.queue.chronicle;

import dev.tok.api.ConfigurationException;
import dev.tok.api.TokException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log on Chronicle Queue: ENQ, ACK and CURSOR records, their positions (Chronicle
 * indexes, increasing), reading a payload back by position, replay, and cycle files.
 *
 * <p>Record layout (Chronicle binary document, our bytes inside):
 * <pre>
 *   ENQ: 'E' | id long | expiry long (epoch ns) | uid stop-bit length + UTF-8 | payload stop-bit length + bytes
 *   ACK: 'A' | upTo long | uid stop-bit length + UTF-8
 *   CUR: 'C' | cursor long | trimmedUpTo long | uid stop-bit length + UTF-8 | deviceId stop-bit length + UTF-8
 * </pre>
 *
 * <p>A CURSOR record stores one device's cursor (at-least-once mode) and, in
 * {@code trimmedUpTo}, the id of the last message the acknowledgement removed (0: none), so that
 * replay removes exactly what was removed, whatever other cursors it has seen by then. ACK's
 * {@code upTo} is likewise the id of the last message removed. Tok versions before CURSOR records
 * skip them with a warning.
 *
 * <p>Chronicle appenders and tailers are confined to one thread; here one appender is shared
 * under a lock (an append costs about a microsecond) and tailers are pooled, each used by one
 * thread at a time.
 */
final class Journal implements AutoCloseable {

    static final byte ENQ = 'E';
    static final byte ACK = 'A';
    static final byte CURSOR = 'C';
    /** Chronicle's document header. */
    static final int HEADER_BYTES = 4;
    /** No position: replay from the start. */
    static final long NONE = Long.MIN_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    /** What replay finds. */
    interface Visitor {
        void enqueued(long position, int recordBytes, long id, long expiry, String uid);

        void acknowledged(long position, int recordBytes, long upTo, String uid);

        void cursor(long position, int recordBytes, long cursor, long trimmedUpTo, String uid, String deviceId);
    }

    private final Path directory;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final long cycleMillis;
    private final DateTimeFormatter fileNames;
    private final boolean sync;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final ExcerptAppender appender;
    private final ReentrantLock syncLock = new ReentrantLock();
    private volatile long syncedPosition = NONE;
    private volatile long lastAppended = NONE;
    private final ConcurrentLinkedDeque<ExcerptTailer> tailers = new ConcurrentLinkedDeque<>();
    private final Map<Integer, File> acquiredFiles = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Journal(Path directory, QueueSettings settings) {
        this.directory = directory;
        QueueSettings.RollCycleChoice choice = settings.rollCycleChoice();
        RollCycle wanted = rollCycle(choice);
        this.sync = settings.durability() == QueueSettings.Durability.SYNC;
        StoreFileListener listener = new StoreFileListener() {
            @Override
            public void onAcquired(int cycle, File file) {
                acquiredFiles.put(cycle, file);
            }

            @Override
            public void onReleased(int cycle, File file) {
                // fires once per appender and per tailer; deletion is driven by the sweeper instead
            }
        };
        SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(directory.toFile())
                .rollCycle(wanted)
                .syncMode(sync ? SyncMode.SYNC : SyncMode.NONE)
                .storeFileListener(listener)
                .build();
        ExcerptAppender a;
        try {
            a = q.createAppender();
        } catch (IllegalStateException e) {
            q.close();
            throw new ConfigurationException("queue 'chronicle' opened " + directory + " read-only (" + e.getMessage()
                    + "): make the directory and its files writable by this process, and pass the JVM flag"
                    + " --add-exports=java.base/sun.nio.ch=ALL-UNNAMED (see the tok-queue-chronicle README)", e);
        }
        a.singleThreadedCheckDisabled(true);
        // A directory keeps the roll cycle it was created with; Chronicle overrides the builder's.
        this.rollCycle = q.rollCycle();
        if (!rollCycle.format().equals(wanted.format()) || rollCycle.lengthInMillis() != wanted.lengthInMillis()) {
            LOG.warn("queue 'chronicle': setting '{}' is '{}', but {} was created with another roll cycle ({}), which it"
                    + " keeps; a directory's roll cycle cannot change", QueueSettings.ROLL_CYCLE, settings.rollCycle(),
                    directory, rollCycle);
        }
        this.cycleMillis = rollCycle.lengthInMillis();
        this.fileNames = DateTimeFormatter.ofPattern(rollCycle.format()).withZone(ZoneOffset.UTC);
        this.queue = q;
        this.appender = a;
    }

    static Journal open(Path directory, QueueSettings settings) {
        return new Journal(directory, settings);
    }

    private static RollCycle rollCycle(QueueSettings.RollCycleChoice choice) {
        try {
            Class<?> type = Class.forName(choice.enumClass(), true, Journal.class.getClassLoader());
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(choice.constant())) {
                    return (RollCycle) constant;
                }
            }
        } catch (ClassNotFoundException e) {
            throw new TokException("Chronicle roll cycle class " + choice.enumClass() + " is missing", e);
        }
        throw new TokException("Chronicle roll cycle " + choice.constant() + " is missing");
    }

    /** @return bytes an ENQ record takes in its cycle file, header included */
    static int enqueueRecordBytes(int uidBytes, int payloadBytes) {
        return HEADER_BYTES + 1 + 8 + 8 + stopBitLength(uidBytes) + uidBytes + stopBitLength(payloadBytes) + payloadBytes;
    }

    /** @return bytes an ACK record takes in its cycle file, header included */
    static int ackRecordBytes(int uidBytes) {
        return HEADER_BYTES + 1 + 8 + stopBitLength(uidBytes) + uidBytes;
    }

    /** @return bytes a CURSOR record takes in its cycle file, header included */
    static int cursorRecordBytes(int uidBytes, int deviceIdBytes) {
        return HEADER_BYTES + 1 + 8 + 8 + stopBitLength(uidBytes) + uidBytes + stopBitLength(deviceIdBytes) + deviceIdBytes;
    }

    private static int stopBitLength(long n) {
        int len = 1;
        while ((n >>>= 7) != 0) {
            len++;
        }
        return len;
    }

    /**
     * @return the position of the new ENQ record
     */
    long appendEnqueue(long id, long expiry, byte[] uid, byte[] payload) {
        return append(ENQ, id, expiry, uid, payload);
    }

    /** @return the position of the new ACK record */
    long appendAck(long upTo, byte[] uid) {
        return append(ACK, upTo, 0, uid, null);
    }

    /** @return the position of the new CURSOR record */
    long appendCursor(long cursor, long trimmedUpTo, byte[] uid, byte[] deviceId) {
        return append(CURSOR, cursor, trimmedUpTo, uid, deviceId);
    }

    /**
     * Appends one record in the layout of the class comment; the second long is written for ENQ
     * (expiry) and CURSOR (trimmedUpTo), the trailing bytes for ENQ (payload) and CURSOR (device id).
     *
     * @param first  the ENQ's id, the ACK's upTo or the CURSOR's cursor
     * @param second the ENQ's expiry or the CURSOR's trimmedUpTo
     * @param tail   the ENQ's payload or the CURSOR's device id; null for ACK
     * @return the position of the new record
     */
    private long append(byte type, long first, long second, byte[] uid, byte[] tail) {
        appendLock.lock();
        try {
            checkOpen();
            syncBeforeRoll();
            try (DocumentContext dc = appender.writingDocument()) {
                try {
                    Bytes<?> b = dc.wire().bytes();
                    b.writeByte(type);
                    b.writeLong(first);
                    if (type != ACK) {
                        b.writeLong(second);
                    }
                    b.writeStopBit(uid.length);
                    b.write(uid);
                    if (tail != null) {
                        b.writeStopBit(tail.length);
                        b.write(tail);
                    }
                } catch (RuntimeException | Error e) {
                    dc.rollbackOnClose();
                    throw e;
                }
            }
            long position = appender.lastIndexAppended();
            lastAppended = position;
            return position;
        } catch (TokException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TokException("queue 'chronicle' could not append to " + directory + ": " + e, e);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * With {@code durability=sync}, under the append lock: if this append will start a new cycle
     * file, msyncs the records still unsynced in the current one first ({@link #syncTo} can only
     * reach the appender's current file).
     */
    private void syncBeforeRoll() {
        long last = lastAppended;
        if (sync && last != NONE && syncedPosition < last && rollCycle.toCycle(last) != queue.cycle()) {
            appender.sync();
            syncedPosition = last;
        }
    }

    /**
     * With {@code durability=sync}: returns once everything up to {@code position} was msync'ed.
     * Concurrent callers share one msync (group commit).
     */
    void syncTo(long position) {
        if (!sync || syncedPosition >= position) {
            return;
        }
        syncLock.lock();
        try {
            if (syncedPosition >= position) {
                return;
            }
            long target;
            appendLock.lock();
            try {
                checkOpen();
                target = lastAppended;
                appender.sync();
            } finally {
                appendLock.unlock();
            }
            syncedPosition = target;
        } catch (TokException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TokException("queue 'chronicle' could not sync " + directory + ": " + e, e);
        } finally {
            syncLock.unlock();
        }
    }

    /** @return the position of the newest record appended or replayed, or {@link #NONE} */
    long lastPosition() {
        return lastAppended;
    }

    /**
     * Reads a payload back.
     *
     * @return the payload, or {@code null} when the record is gone (its cycle file was deleted)
     */
    byte[] readPayload(long position) {
        ExcerptTailer t = tailers.pollFirst();
        if (t == null) {
            checkOpen();
            t = queue.createTailer();
            t.singleThreadedCheckDisabled(true);
        }
        try {
            if (!t.moveToIndex(position)) {
                return null;
            }
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent() || dc.index() != position) {
                    return null;
                }
                Bytes<?> b = dc.wire().bytes();
                if (b.readByte() != ENQ) {
                    throw new TokException("queue 'chronicle' found no message at position " + Long.toHexString(position)
                            + " in " + directory + ": the files were changed by something else");
                }
                b.readSkip(16);
                b.readSkip(b.readStopBit());
                byte[] payload = new byte[Math.toIntExact(b.readStopBit())];
                b.read(payload);
                return payload;
            }
        } finally {
            if (closed) {
                t.close();
            } else {
                tailers.offerFirst(t);
            }
        }
    }

    /**
     * Replays every record after {@code after} (all of them for {@link #NONE}), in log order.
     * Runs on one thread before the queue is shared.
     *
     * @return how many records were read
     */
    long replay(long after, Visitor visitor) {
        long count = 0;
        if (after != NONE) {
            lastAppended = after; // the snapshot's position, unless newer records follow
        }
        try (ExcerptTailer t = queue.createTailer()) {
            boolean skipByIndex = true;
            if (after != NONE && t.moveToIndex(after)) {
                try (DocumentContext dc = t.readingDocument()) {
                    skipByIndex = !dc.isPresent() || dc.index() != after;
                }
            } else {
                t.toStart();
            }
            if (skipByIndex && after != NONE) {
                t.toStart();
            }
            byte[] uidBuffer = new byte[64];
            for (;;) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    long position = dc.index();
                    if (skipByIndex && after != NONE && position <= after) {
                        continue;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    int recordBytes = (int) b.readRemaining() + HEADER_BYTES;
                    byte type = b.readByte();
                    if (type == ENQ || type == ACK || type == CURSOR) {
                        long first = b.readLong();
                        long second = type != ACK ? b.readLong() : 0;
                        int uidLength = Math.toIntExact(b.readStopBit());
                        if (uidBuffer.length < uidLength) {
                            uidBuffer = new byte[Math.max(uidLength, uidBuffer.length * 2)];
                        }
                        b.read(uidBuffer, 0, uidLength);
                        String uid = new String(uidBuffer, 0, uidLength, java.nio.charset.StandardCharsets.UTF_8);
                        if (type == ENQ) {
                            visitor.enqueued(position, recordBytes, first, second, uid);
                        } else if (type == ACK) {
                            visitor.acknowledged(position, recordBytes, first, uid);
                        } else {
                            byte[] device = new byte[Math.toIntExact(b.readStopBit())];
                            b.read(device);
                            visitor.cursor(position, recordBytes, first, second, uid,
                                    new String(device, java.nio.charset.StandardCharsets.UTF_8));
                        }
                    } else {
                        LOG.warn("queue 'chronicle': skipping an unknown record type {} at position {} in {}", type,
                                Long.toHexString(position), directory);
                    }
                    lastAppended = position;
                    count++;
                }
            }
        }
        return count;
    }

    int currentCycle() {
        return queue.cycle();
    }

    int cycleOf(long position) {
        return rollCycle.toCycle(position);
    }

    /**
     * @return the largest record Chronicle stores: a quarter of its memory-mapping block (16 MiB
     *     with the default 64 MiB block), less a margin for its own header
     */
    long maxRecordBytes() {
        return queue.blockSize() / 4 - 256;
    }

    /** @return the cycles that have a file, oldest first */
    List<Integer> cyclesOnDisk() {
        queue.refreshDirectoryListing();
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        List<Integer> out = new ArrayList<>();
        if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE || first > last) {
            return out;
        }
        NavigableSet<Long> cycles = queue.listCyclesBetween(first, last);
        for (Long c : cycles) {
            out.add(c.intValue());
        }
        return out;
    }

    /** @return the file of a cycle, as Chronicle names it */
    Path fileOf(int cycle) {
        File acquired = acquiredFiles.get(cycle);
        if (acquired != null) {
            return acquired.toPath();
        }
        return directory.resolve(fileNames.format(Instant.ofEpochMilli(cycle * cycleMillis)) + SingleChronicleQueue.SUFFIX);
    }

    /**
     * Deletes a cycle file. Safe while the queue is open on Linux and macOS: mappings keep the
     * inode until released.
     *
     * @return whether a file was deleted
     */
    boolean deleteCycle(int cycle) {
        Path p = fileOf(cycle);
        try {
            boolean deleted = Files.deleteIfExists(p);
            acquiredFiles.remove(cycle);
            if (deleted) {
                queue.refreshDirectoryListing();
            }
            return deleted;
        } catch (IOException e) {
            LOG.warn("queue 'chronicle' could not delete the expired cycle file {}: {}", p, e.toString());
            return false;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new TokException("queue 'chronicle' at " + directory + " is closed");
        }
    }

    @Override
    public void close() {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (sync) {
                appender.sync();
            }
            ExcerptTailer t;
            while ((t = tailers.pollFirst()) != null) {
                t.close();
            }
            appender.close();
            queue.close();
        } finally {
            appendLock.unlock();
        }
    }
}
