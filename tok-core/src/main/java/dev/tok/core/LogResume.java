package dev.tok.core;

import dev.tok.api.CloseReason;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection registered in at-least-once mode: reads its device's cursor from the queue
 * (registering a device seen for the first time), then writes, in order and with their ids,
 * every message of the log after it, as far as the in-flight window allows. Runs in the user's
 * chain, so live messages sent meanwhile follow in log order.
 */
final class LogResume implements SlotTask {
    private static final Logger LOG = LoggerFactory.getLogger(LogResume.class);

    private final UserSlot slot;
    private final HubConnection conn;

    /** In a cluster, the connection's registration: read the log after it (see {@link Drain}). Null: at once. */
    private final java.util.concurrent.CompletableFuture<Void> after;

    LogResume(UserSlot slot, HubConnection conn, java.util.concurrent.CompletableFuture<Void> after) {
        this.slot = slot;
        this.conn = conn;
        this.after = after;
    }

    @Override
    public CompletionStage<Void> run() {
        if (after != null && !after.isDone()) {
            // other nodes notify this one of new log messages once they see the connection: read the log after that
            return after.thenComposeAsync(v -> resume(), slot.hub.worker);
        }
        return resume();
    }

    private CompletionStage<Void> resume() {
        if (conn.isClosed()) {
            return DONE;
        }
        Tracing t = slot.hub.tracing;
        Object trace = t == null ? null : t.deliveryStarted(slot.uid, conn.transport);
        long cursor;
        try {
            cursor = slot.hub.queue.cursor(conn.device());
        } catch (RuntimeException e) {
            LOG.error("reading the cursor of {} failed; closing its connection so that it resumes later", conn.device(), e);
            conn.close(CloseReason.SERVER_ERROR);
            if (trace != null) {
                t.deliveryFinished(trace, 0, e);
            }
            return DONE;
        }
        LogCursor c = conn.logCursor;
        c.ackedUpTo = cursor;
        c.sentUpTo = cursor;
        c.behind = true;
        c.trace = trace;
        try {
            c.catchUp(slot.hub, slot.uid);
        } finally {
            c.trace = null;
        }
        if (trace != null) {
            t.deliveryFinished(trace, c.inflight(), null); // nothing was in flight before the resume
        }
        return DONE;
    }

    @Override
    public void abort(Throwable reason) {
        // Nothing waits for it; the device's messages stay in the log.
    }
}
