package dev.tok.core;

import dev.tok.api.CloseReason;
import dev.tok.api.QueuedMessage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one connection has been given of its user's message log in at-least-once mode: the last
 * id written to it, the device's cursor as this connection last learnt it, and the in-flight
 * window of messages written but not yet acknowledged.
 *
 * <p>Confined to the user's task chain: only {@link LogSend}, {@link LogResume} and
 * {@link LogAck} touch it, one task at a time on a hub worker (the chain hands over through the
 * slot's monitor, which orders the accesses), so it needs no lock of its own.
 */
final class LogCursor {
    private static final Logger LOG = LoggerFactory.getLogger(LogCursor.class);
    /** Messages read from the queue per round while a connection catches up. */
    static final int READ_BATCH = 64;

    private final HubConnection conn;
    private final int maxMessages;
    private final long maxBytes;

    /** The highest id written to the connection; -1 until {@link LogResume} read the device's cursor. */
    long sentUpTo = -1;
    /** The device's cursor as last stored through this connection (or read at resume). */
    long ackedUpTo;
    /** Messages after {@link #sentUpTo} may wait in the log: live messages must not overtake them. */
    boolean behind;
    /** The tracer's token of the {@link LogResume} catching up now, the parent of its writes; else null. */
    Object trace;

    /** Ids and sizes of the messages in flight, a ring in id order. */
    private long[] ids = new long[4];
    private int[] sizes = new int[4];
    private int head;
    private int count;
    private long bytes;

    LogCursor(HubConnection conn, int maxMessages, long maxBytes) {
        this.conn = conn;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** @return true once the device's cursor was read: live messages may be written to it */
    boolean resumed() {
        return sentUpTo >= 0;
    }

    /** @return true when a message of {@code size} bytes fits the in-flight window (always, with nothing in flight) */
    boolean hasRoom(int size) {
        return count == 0 || (count < maxMessages && bytes + size <= maxBytes);
    }

    /** @return true when a live message may be written now: resumed, not behind the log, and room in the window */
    boolean takesLive(int size) {
        return resumed() && !behind && hasRoom(size);
    }

    /** Records a message written (issued) to the connection. */
    void sent(long id, int size) {
        if (count == ids.length) {
            grow();
        }
        int slot = (head + count) % ids.length;
        ids[slot] = id;
        sizes[slot] = size;
        count++;
        bytes += size;
        sentUpTo = id;
    }

    /** Frees the window of every message with an id up to {@code upToId}. */
    void acknowledged(long upToId) {
        ackedUpTo = upToId;
        while (count > 0 && ids[head] <= upToId) {
            bytes -= sizes[head];
            head = (head + 1) % ids.length;
            count--;
        }
    }

    /** @return messages in flight */
    int inflight() {
        return count;
    }

    private void grow() {
        long[] nextIds = new long[ids.length * 2];
        int[] nextSizes = new int[ids.length * 2];
        for (int i = 0; i < count; i++) {
            nextIds[i] = ids[(head + i) % ids.length];
            nextSizes[i] = sizes[(head + i) % ids.length];
        }
        ids = nextIds;
        sizes = nextSizes;
        head = 0;
    }

    /**
     * Writes what waits in the log for this connection, in id order, until the window is full or
     * the log has nothing more after {@link #sentUpTo}. In the user's chain, on a hub worker.
     */
    void catchUp(CoreHub hub, String uid) {
        while (behind && !conn.isClosed()) {
            if (count > 0 && (count >= maxMessages || bytes >= maxBytes)) {
                return; // the window is full: the next acknowledgement goes on from here
            }
            int room = Math.min(READ_BATCH, Math.max(1, maxMessages - count));
            List<QueuedMessage> batch;
            try {
                batch = hub.queue.read(uid, sentUpTo, room);
            } catch (RuntimeException e) {
                LOG.error("reading the message log of user '{}' failed; closing {} so that its device resumes later",
                        uid, conn, e);
                conn.close(CloseReason.SERVER_ERROR);
                return;
            }
            for (QueuedMessage m : batch) {
                if (!hasRoom(m.payload().length)) {
                    return; // still behind: the next acknowledgement goes on from here
                }
                sent(m.id(), m.payload().length);
                write(m.id(), m.payload());
            }
            if (batch.size() < room) {
                behind = false; // caught up: the next live message is the next in the log
            }
        }
    }

    /** Writes one message of the log; a failed write closes the connection (the device gets it again). */
    private void write(long id, byte[] payload) {
        Object t = trace;
        java.util.concurrent.CompletionStage<Void> w = t == null ? conn.writeLogged(id, payload)
                : conn.hub().tracing.write(t, conn, () -> conn.writeLogged(id, payload));
        w.whenComplete((v, e) -> {
            if (e == null) {
                conn.written(payload);
            } else {
                conn.close(CloseReason.SERVER_ERROR);
            }
        });
    }
}
