package dev.tok.core;

import dev.tok.api.CacheFailedException;
import dev.tok.api.CloseReason;
import dev.tok.api.Delivery;
import dev.tok.api.HubClosedException;
import dev.tok.api.OfflineException;
import dev.tok.api.SendOutcome;
import dev.tok.api.SendResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One {@code Hub.send} in at-least-once mode, as a task of the user's chain: appends the message
 * to the user's log (the queue gives it its id), then writes it to every connection that is
 * caught up with the log and has room in its in-flight window. The others get it from the log
 * later ({@link LogCursor#catchUp}), after what waits before it. The stage completes once every
 * write issued here settled: {@code DELIVERED} when every connection was written to, else
 * {@code QUEUED} (the message waits in the log for the rest).
 *
 * <p>In a cluster the log is shared by the nodes: the message is appended, every connection of the
 * user (here, and through {@link ClusterLink#logAppended} on the other nodes) reads the log after
 * what it was given, and the send completes as {@code QUEUED} once the message is in the log.
 *
 * <p>A failed write closes its connection: the message stays in the log and reaches the device
 * on its next connection. Writes a transport never completes are settled as failed by the hub's
 * sweep ({@link #writesStalled}), and by {@link #closed} when the hub closes.
 */
final class LogSend implements SlotTask {
    private final UserSlot slot;
    private final byte[] payload;
    private final Duration ttl;
    private final long startNanos;
    /** The tracer's token of this send; null when it is not traced. */
    private final Object trace;
    final CompletableFuture<SendResult> result = new CompletableFuture<>();

    /** Set in {@link #run}; read by the completions after the writes were issued. */
    private long id;
    private HubConnection[] targets;
    private Throwable[] failures;
    private boolean[] settled;
    private int remaining;
    private boolean allConnections;
    /** When the writes were issued, in {@link SendOperation#clockMillis()}. */
    int issuedAtMillis;

    LogSend(UserSlot slot, byte[] payload, Duration ttl, long startNanos, Object trace) {
        this.slot = slot;
        this.payload = payload;
        this.ttl = ttl;
        this.startNanos = startNanos;
        this.trace = trace;
    }

    @Override
    public CompletionStage<Void> run() {
        CoreHub hub = slot.hub;
        HubConnection[] conns = slot.conns;
        if (ttl.isZero() && conns.length == 0) {
            boolean elsewhere = false;
            if (hub.cluster != null) {
                try {
                    elsewhere = hub.cluster.onlineElsewhere(slot.uid); // on a hub worker, which may block on the queue anyway
                } catch (dev.tok.api.TokException e) {
                    fail(e);
                    return DONE;
                }
            }
            if (!elsewhere) {
                fail(new OfflineException(slot.uid));
                return DONE;
            }
        }
        Duration keep = ttl.isZero() ? hub.config.zeroTtlRetention() : ttl;
        try {
            id = Tracing.enqueue(hub, trace, slot.uid, payload, expiry(keep));
        } catch (RuntimeException e) {
            fail(new CacheFailedException(slot.uid, e));
            return DONE;
        }
        hub.metrics.enqueued.increment();
        if (hub.observers != null) {
            hub.observers.enqueued();
        }
        if (hub.cluster != null) {
            // The log is shared: other nodes append to it too, so a connection here may be behind
            // it without knowing. Every connection reads the log after what it was given (in id
            // order, with this message), and the nodes holding the user's other connections are
            // told to do the same. The message is in the log: the send completes as queued.
            LogNudge.catchUp(slot);
            hub.cluster.logAppended(slot.uid, id);
            succeed(new SendResult(SendResult.Status.QUEUED, List.of(), true, id));
            return DONE;
        }
        List<HubConnection> ready = new ArrayList<>(conns.length);
        for (HubConnection c : conns) {
            LogCursor cursor = c.logCursor;
            if (cursor.takesLive(payload.length)) {
                cursor.sent(id, payload.length);
                ready.add(c);
            } else if (cursor.resumed()) {
                cursor.behind = true; // it reads this one from the log once its window frees up
            }
        }
        if (ready.isEmpty()) {
            succeed(new SendResult(SendResult.Status.QUEUED, List.of(), true, id));
            return DONE;
        }
        HubConnection[] out = ready.toArray(new HubConnection[0]);
        synchronized (this) {
            targets = out;
            failures = new Throwable[out.length];
            settled = new boolean[out.length];
            remaining = out.length;
            allConnections = out.length == conns.length;
            issuedAtMillis = SendOperation.clockMillis();
        }
        slot.logWritesIssued(this);
        for (int i = 0; i < out.length; i++) {
            int index = i;
            HubConnection c = out[i];
            CompletionStage<Void> w = trace == null ? c.writeLogged(id, payload)
                    : hub.tracing.write(trace, c, () -> c.writeLogged(id, payload));
            w.whenComplete((v, e) -> settle(index, e));
        }
        return DONE;
    }

    private static Instant expiry(Duration keep) {
        try {
            return Instant.now().plus(keep);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return Instant.MAX;
        }
    }

    /** The write to target {@code index} settled; a failure closes that connection. */
    private void settle(int index, Throwable failure) {
        boolean last;
        synchronized (this) {
            if (settled[index]) {
                return; // already settled as stalled or on close
            }
            settled[index] = true;
            failures[index] = failure;
            last = --remaining == 0;
        }
        HubConnection c = targets[index];
        if (failure == null) {
            c.written(payload);
        } else {
            c.close(CloseReason.SERVER_ERROR);
        }
        if (last) {
            slot.logWritesDone(this);
            finish();
        }
    }

    private void finish() {
        List<Delivery> deliveries = new ArrayList<>(targets.length);
        boolean allWritten = allConnections;
        for (int i = 0; i < targets.length; i++) {
            Throwable f = failures[i];
            deliveries.add(new Delivery(targets[i].device(), targets[i].transport, Optional.ofNullable(f)));
            if (f != null) {
                allWritten = false;
            }
        }
        succeed(new SendResult(allWritten ? SendResult.Status.DELIVERED : SendResult.Status.QUEUED, deliveries, true, id));
    }

    /**
     * The writes were issued before the hub's bound and some transport has not completed its
     * write: those connections close with {@link CloseReason#WRITE_TIMEOUT}, their writes count as
     * failed (the message stays in the log for their devices).
     */
    void writesStalled() {
        for (int i = 0; i < targets.length; i++) {
            boolean stalled;
            synchronized (this) {
                stalled = !settled[i];
            }
            if (stalled) {
                targets[i].close(CloseReason.WRITE_TIMEOUT);
                settle(i, new WriteTimeoutException(targets[i]));
            }
        }
    }

    /** @return true when every issued write settled; under the slot's monitor for the sweep */
    synchronized boolean writesDone() {
        return remaining == 0;
    }

    /**
     * The hub closed while writes were in flight: the message is in the log, so the send counts
     * as queued with the writes that completed.
     */
    void closed() {
        for (int i = 0; i < targets.length; i++) {
            settle(i, new HubClosedException());
        }
    }

    @Override
    public void abort(Throwable reason) {
        fail(reason); // not yet appended: the hub closed before the task ran
    }

    private void succeed(SendResult r) {
        Observers o = slot.hub.observers;
        if (o != null) {
            o.sendCompleted(SendOutcome.of(r.status()), startNanos);
        }
        if (trace != null && !result.isDone()) {
            slot.hub.tracing.sendFinished(trace, SendOutcome.of(r.status()), null);
        }
        result.complete(r);
    }

    private void fail(Throwable failure) {
        Observers o = slot.hub.observers;
        if (o != null && !result.isDone()) {
            o.sendCompleted(SendOutcome.of(failure), startNanos);
        }
        if (trace != null && !result.isDone()) {
            slot.hub.tracing.sendFinished(trace, SendOutcome.of(failure), failure);
        }
        result.completeExceptionally(failure);
    }
}
