package dev.tok.core;

import dev.tok.api.CloseReason;
import dev.tok.api.PartialSendPolicy;
import dev.tok.api.QueuedMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a user's queued messages to the user's current connections, oldest first, in
 * batches: peek, write, and acknowledge only the leading messages whose writes succeeded. A
 * failed message keeps its place and its expiry.
 *
 * <p>A connection that fails a write is closed ({@link CloseReason#SERVER_ERROR}: its client
 * reconnects and gets the messages again, in order), and the drain goes on at once with the
 * remaining connections from the first message not every connection received, so live sends,
 * which wait behind the drain in the user's chain, never overtake queued messages. A write the
 * transport does not complete within the hub's bound (twice the write timeout) counts as failed
 * and its connection is closed with {@link CloseReason#WRITE_TIMEOUT}.
 */
final class Drain implements SlotTask {
    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
    static final int BATCH = 64;

    private final CoreHub hub;
    private final UserSlot slot;
    /** The connections the current batch was written to; read after the batch completed. */
    private volatile HubConnection[] lastConns;
    /** The tracer's token of this drain, the parent of its writes; null when it is not traced. */
    private Object trace;
    /** Messages acknowledged to the queue so far, for the tracer; written by one batch at a time. */
    private volatile int deliveredSoFar;
    /** Why the drain gave up (the queue failed), for the tracer. */
    private volatile Throwable failure;

    /** In a cluster, the login's registration: read the queue after it. Null: at once. */
    private final CompletableFuture<Void> after;

    Drain(CoreHub hub, UserSlot slot, CompletableFuture<Void> after) {
        this.hub = hub;
        this.slot = slot;
        this.after = after;
    }

    @Override
    public CompletionStage<Void> run() {
        if (after != null && !after.isDone()) {
            return after.thenComposeAsync(v -> start(), hub.worker);
        }
        return start();
    }

    private CompletionStage<Void> start() {
        Tracing t = hub.tracing;
        trace = t == null ? null : t.deliveryStarted(slot.uid, null);
        if (trace == null) {
            return next();
        }
        Object drain = trace;
        CompletionStage<Void> done;
        try {
            done = next();
        } catch (RuntimeException | Error e) {
            t.deliveryFinished(drain, deliveredSoFar, e);
            throw e;
        }
        return done.whenComplete((v, e) -> t.deliveryFinished(drain, deliveredSoFar, e != null ? e : failure));
    }

    /** Delivers the next batch, and the ones after it. */
    private CompletionStage<Void> next() {
        HubConnection[] conns;
        synchronized (slot) {
            CompletableFuture<Void> quiet = slot.whenQuiet();
            if (quiet != null) {
                // A write to an older connection may still fail and be cached: wait for it, so
                // that it is delivered in its place.
                return quiet.thenComposeAsync(v -> next(), hub.worker);
            }
            conns = slot.conns;
        }
        if (conns.length == 0 || hub.queue == null) {
            return DONE;
        }
        lastConns = conns;
        List<QueuedMessage> batch;
        try {
            batch = hub.queue.peek(slot.uid, BATCH);
        } catch (RuntimeException e) {
            LOG.error("peek of the queue of user '{}' failed; its messages wait for the next login", slot.uid, e);
            failure = e;
            return DONE;
        }
        if (batch.isEmpty()) {
            return DONE;
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<Boolean>[][] writes = new CompletableFuture[batch.size()][conns.length];
        for (int m = 0; m < batch.size(); m++) {
            byte[] payload = batch.get(m).payload();
            for (int c = 0; c < conns.length; c++) {
                HubConnection conn = conns[c];
                CompletableFuture<Boolean> written = new CompletableFuture<>();
                CompletionStage<Void> write = trace == null ? conn.write(payload)
                        : hub.tracing.write(trace, conn, () -> conn.write(payload));
                write.whenComplete((v, e) -> {
                    if (written.complete(e == null) && e == null) {
                        conn.written(payload);
                    }
                });
                writes[m][c] = written;
            }
        }
        CompletableFuture<?>[] all = new CompletableFuture<?>[batch.size()];
        for (int m = 0; m < batch.size(); m++) {
            all[m] = CompletableFuture.allOf(writes[m]);
        }
        CompletableFuture<Void> batchWritten = CompletableFuture.allOf(all);
        ScheduledFuture<?> stallCheck = scheduleStallCheck(conns, writes);
        return batchWritten.thenComposeAsync(v -> {
            if (stallCheck != null) {
                stallCheck.cancel(false);
            }
            return acknowledge(batch, writes);
        }, hub.worker);
    }

    /**
     * After the hub's bound, a write the transport has not completed counts as failed and its
     * connection is closed with {@link CloseReason#WRITE_TIMEOUT}, so the chain cannot wait forever.
     */
    private ScheduledFuture<?> scheduleStallCheck(HubConnection[] conns, CompletableFuture<Boolean>[][] writes) {
        try {
            return hub.scheduler.schedule(() -> {
                for (CompletableFuture<Boolean>[] perConn : writes) {
                    for (int c = 0; c < perConn.length; c++) {
                        if (perConn[c].complete(false)) {
                            conns[c].close(CloseReason.WRITE_TIMEOUT);
                        }
                    }
                }
            }, hub.stalledWriteNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null; // closing: the close sequence settles what waits
        }
    }

    private CompletionStage<Void> acknowledge(List<QueuedMessage> batch, CompletableFuture<Boolean>[][] writes) {
        boolean requireAll = hub.config.partialSendPolicy() == PartialSendPolicy.CACHE_ON_ANY_FAILURE;
        int delivered = 0;
        for (CompletableFuture<Boolean>[] perConn : writes) {
            int ok = 0;
            for (CompletableFuture<Boolean> w : perConn) {
                if (w.join()) {
                    ok++;
                }
            }
            if (requireAll ? ok == perConn.length : ok > 0) {
                delivered++;
            } else {
                break;
            }
        }
        if (delivered > 0) {
            try {
                hub.queue.acknowledge(slot.uid, batch.get(delivered - 1).id());
                hub.metrics.dequeued.add(delivered);
                deliveredSoFar += delivered;
                if (hub.observers != null) {
                    hub.observers.dequeued(delivered);
                }
            } catch (RuntimeException e) {
                LOG.error("acknowledging delivered messages of user '{}' failed; they may be delivered again", slot.uid, e);
                failure = e;
                return DONE;
            }
        }
        if (delivered == batch.size()) {
            return next();
        }
        // A connection that failed a write has a gap: it is closed, and the drain goes on with
        // the others from the first message not every connection received, before any later send.
        int closed = closeFailed(writes);
        LOG.debug("drain of user '{}': {} connection(s) failed a write and were closed; {} message(s) acknowledged",
                slot.uid, closed, delivered);
        return next();
    }

    private int closeFailed(CompletableFuture<Boolean>[][] writes) {
        HubConnection[] conns = lastConns;
        int closed = 0;
        for (int c = 0; c < conns.length; c++) {
            for (CompletableFuture<Boolean>[] perConn : writes) {
                if (!perConn[c].join()) {
                    conns[c].close(CloseReason.SERVER_ERROR);
                    closed++;
                    break;
                }
            }
        }
        return closed;
    }

    @Override
    public void abort(Throwable reason) {
        // Nothing waits for a drain; undelivered messages stay queued.
    }
}
