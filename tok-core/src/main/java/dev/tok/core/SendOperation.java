package dev.tok.core;

import dev.tok.api.CacheFailedException;
import dev.tok.api.CloseReason;
import dev.tok.api.Delivery;
import dev.tok.api.DeliveryFailedException;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.OfflineException;
import dev.tok.api.PartialSendPolicy;
import dev.tok.api.QueueRequiredException;
import dev.tok.api.SendOutcome;
import dev.tok.api.SendResult;
import dev.tok.api.spi.WriteListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BiConsumer;

/**
 * One {@code Hub.send}: writes the message to a snapshot of the user's connections (or, for a
 * device-targeted send or a reply, to those of them it {@linkplain #select selects}), collects
 * every write's outcome, and caches the message when the user is offline or when the
 * {@link PartialSendPolicy} says so. As a {@link SlotTask} it runs in the user's chain when it
 * could not take the fast path.
 *
 * <p><b>Footprint.</b> This object is all that a send to one connection allocates (JMH
 * {@code HubSendBenchmark} with {@code -prof gc}: 64 bytes): it is the send's stage itself (a
 * {@link CompletableFuture}, not one more object), it keeps the caller's ttl rather than an
 * expiry, one field holds either the single write's failure or the per-target outcomes, and it
 * is the {@link WriteListener} of its write ({@link dev.tok.api.spi.ConAdapter#write(byte[],
 * WriteListener)}), so the write needs no stage of the transport's. A send the hub's
 * {@link dev.tok.api.HubTracer} traces is a {@link TracedSendOperation}, which holds the tracer's
 * token: a field here would make every send allocate 8 bytes more, so only a traced send pays
 * for it.
 */
sealed class SendOperation extends CompletableFuture<SendResult>
        implements SlotTask, BiConsumer<Void, Throwable>, WriteListener permits TracedSendOperation {
    private static final AtomicIntegerFieldUpdater<SendOperation> REMAINING =
            AtomicIntegerFieldUpdater.newUpdater(SendOperation.class, "remaining");
    /** A boolean, not an int: it fits the object's padding, so a send allocates no more than before the observers. */
    private static final VarHandle OBSERVED;

    static {
        try {
            OBSERVED = MethodHandles.lookup().findVarHandle(SendOperation.class, "observed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The hub is {@code slot.hub}: no field of its own, as this object's size is what a send allocates. */
    private final UserSlot slot;
    private final byte[] payload;
    /** Which of the user's connections to write to: null all, a {@link Device} its connections, a {@link HubConnection} that one. */
    private final Object only;
    /**
     * How long a queued copy may wait, counted from when it is queued; zero: delivered only if
     * online, never queued. The caller's object (a reference, not the expiry as a long: this
     * object's size is what a send allocates).
     */
    private final Duration ttl;

    private HubConnection[] targets;
    /**
     * A send to several connections: the per-target {@link Outcome}s (each holds its write's
     * failure). A send to one connection: its write's failure, once it failed. Null otherwise.
     * One field for both, as this object's size is what a send allocates. Guarded by this.
     */
    private Object outcomes;
    /**
     * When the writes were issued, in {@link #clockMillis()} (wraps after 24 days; compare by
     * difference), to find writes a transport never completes. An int, not a long: this object's
     * size is what {@code Hub.send} allocates.
     */
    int issuedAtMillis;
    /**
     * When {@code Hub.send} was called, in {@link #clockMicros()} (wraps after 71 minutes: durations
     * are int differences), for the observers' duration; 0 without observers.
     */
    private final int startMicros;
    /** True once the observers were told how the send ended; see {@link #OBSERVED}. */
    @SuppressWarnings("unused") // through OBSERVED
    private volatile boolean observed;
    /**
     * Writes not yet settled. A write is settled once, by its transport's completion or as
     * stalled: a single target's by the 1 -> 0 transition of this count, each of several targets'
     * by its {@link Outcome}.
     */
    private volatile int remaining;
    private boolean cache;
    private boolean cacheRefused;
    /** Every write completed; guarded by the slot's monitor. */
    boolean writesDone;
    /**
     * The next send settled by the same {@code UserSlot.writesDone} call, which chains them here
     * instead of in a list (this field fills the object's alignment gap: the send stays 64 bytes).
     */
    SendOperation nextSettled;

    SendOperation(CoreHub hub, UserSlot slot, byte[] payload, Duration ttl) {
        this(hub, slot, payload, ttl, null, slot.hub.observers == null ? 0 : System.nanoTime());
    }

    /**
     * @param only null: every connection of the user; a {@link Device}: the connections of that
     *             device (uid and device id); a {@link HubConnection}: that connection. A
     *             targeted send always has a zero ttl: it is never queued
     * @param startNanos when {@code Hub.send} was called ({@link System#nanoTime()}), for the
     *             observers; 0 when there are none
     */
    SendOperation(CoreHub hub, UserSlot slot, byte[] payload, Duration ttl, Object only, long startNanos) {
        this.slot = slot;
        this.startMicros = (int) (startNanos / 1_000);
        this.payload = payload;
        this.only = only;
        this.ttl = ttl;
    }

    static long expiry(Duration ttl) {
        try {
            return Math.max(1, Math.addExact(System.currentTimeMillis(), ttl.toMillis()));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // a ttl of centuries: never expires
        }
    }

    /** @return a millisecond clock for in-flight ages: {@link System#nanoTime()} in ms, truncated to an int */
    static int clockMillis() {
        return (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    /** @return the tracer's token of this send; null when it is not traced */
    Object trace() {
        return null;
    }

    /** Completes the send's stage with a result, after telling the observers and the tracer. Never under a monitor. */
    private void succeed(SendResult r) {
        Observers o = slot.hub.observers;
        Object trace = trace();
        if ((o != null || trace != null) && OBSERVED.compareAndSet(this, false, true)) {
            if (o != null) {
                o.sendCompletedAfter(SendOutcome.of(r.status()), elapsedNanos());
            }
            if (trace != null) {
                slot.hub.tracing.sendFinished(trace, SendOutcome.of(r.status()), null);
            }
        }
        complete(r);
    }

    /** Fails the send's stage, after telling the observers and the tracer. Never under a monitor. */
    private void fail(Throwable failure) {
        Observers o = slot.hub.observers;
        Object trace = trace();
        if ((o != null || trace != null) && !isDone() && OBSERVED.compareAndSet(this, false, true)) {
            if (o != null) {
                o.sendCompletedAfter(SendOutcome.of(failure), elapsedNanos());
            }
            if (trace != null) {
                slot.hub.tracing.sendFinished(trace, SendOutcome.of(failure), failure);
            }
        }
        completeExceptionally(failure);
    }

    private long elapsedNanos() {
        return ((int) (System.nanoTime() / 1_000) - startMicros) * 1_000L;
    }

    /** @return true when a failed or offline copy may be queued (a positive ttl) */
    private boolean queueable() {
        return !ttl.isZero();
    }

    /**
     * @param conns the user's connections
     * @return those this send writes to: all of them, or the targeted ones (possibly none)
     */
    HubConnection[] select(HubConnection[] conns) {
        if (only == null || conns.length == 0) {
            return conns;
        }
        int n = 0;
        for (HubConnection c : conns) {
            if (selected(c)) {
                n++;
            }
        }
        if (n == conns.length) {
            return conns;
        }
        HubConnection[] out = new HubConnection[n];
        int i = 0;
        for (HubConnection c : conns) {
            if (selected(c)) {
                out[i++] = c;
            }
        }
        return out;
    }

    private boolean selected(HubConnection c) {
        if (only instanceof HubConnection) {
            return c == only;
        }
        Device d = (Device) only;
        return c.device().deviceId().equals(d.deviceId()) && c.device().uid().equals(d.uid());
    }

    /** The send's targets are all offline and it is not queued: fails it. Not under a monitor. */
    void offline() {
        fail(only == null ? new OfflineException(slot.uid)
                : new OfflineException(only instanceof HubConnection ? ((HubConnection) only).device() : (Device) only));
    }

    /**
     * Takes the connections to write to and joins the user's in-flight sends, so that outcomes
     * settle in send order. Under the slot's monitor; {@link #write()} follows after it.
     */
    void issue(HubConnection[] conns) {
        this.targets = conns;
        this.issuedAtMillis = clockMillis();
        REMAINING.set(this, conns.length);
        slot.writesIssued(this);
    }

    /**
     * Writes to the connections taken by {@link #issue}. Never under a hub lock: BeforeSend and
     * the transport run here, and a write that completes at once completes the send's stage
     * (and its dependent actions) in this thread.
     */
    void write() {
        HubConnection[] conns = targets;
        Object trace = trace();
        if (conns.length == 1) {
            // the common case: no per-target object; untraced, this send is the transport's
            // write listener, so the write needs no stage at all
            if (trace == null) {
                conns[0].write(payload, this);
                return;
            }
            CompletionStage<Void> w = write(conns[0], trace);
            if (w instanceof CompletableFuture<Void> f && f.isDone()) {
                accept(null, f.isCompletedExceptionally() ? failureOf(f) : null);
            } else {
                w.whenComplete(this);
            }
            return;
        }
        Outcome[] each = new Outcome[conns.length];
        for (int i = 0; i < conns.length; i++) {
            each[i] = new Outcome(this, i);
        }
        synchronized (this) {
            outcomes = each;
        }
        for (int i = 0; i < conns.length; i++) {
            if (trace == null) {
                conns[i].write(payload, each[i]);
            } else {
                write(conns[i], trace).whenComplete(each[i]);
            }
        }
    }

    /** @return why a completed, failed stage failed, as {@code whenComplete} would report it */
    private static Throwable failureOf(CompletableFuture<Void> f) {
        try {
            f.join();
            return new IllegalStateException("not failed"); // not reached: f failed
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    /** Writes the message to one connection of a traced send, through the tracer. */
    private CompletionStage<Void> write(HubConnection c, Object trace) {
        return slot.hub.tracing.write(trace, c, () -> c.write(payload));
    }

    /**
     * The writes of this send were issued longer ago than the hub's bound and some transport has
     * not completed its write: each such connection is closed with
     * {@link CloseReason#WRITE_TIMEOUT} and its write counts as failed, so that the user's later
     * sends are not held behind it forever. A completion the transport reports later is ignored.
     */
    void writesStalled() {
        HubConnection[] conns = targets;
        if (conns.length == 1) {
            if (REMAINING.compareAndSet(this, 1, 0)) {
                conns[0].close(CloseReason.WRITE_TIMEOUT);
                record(0, new WriteTimeoutException(conns[0]));
                allWritten();
            }
            return;
        }
        Outcome[] each;
        synchronized (this) {
            each = (Outcome[]) outcomes;
        }
        for (int i = 0; i < conns.length; i++) {
            if (each != null && each[i].settle()) {
                conns[i].close(CloseReason.WRITE_TIMEOUT);
                written(i, new WriteTimeoutException(conns[i]));
            }
        }
    }

    /** Runs in the user's chain (the fast path was closed). */
    @Override
    public CompletionStage<Void> run() {
        CompletableFuture<Void> quiet = null;
        boolean online;
        synchronized (slot) {
            HubConnection[] conns = select(slot.conns);
            online = conns.length > 0;
            if (online) {
                // Written at once, like a fast-path send, whatever earlier writes are still in
                // flight: outcomes settle in send order anyway, and the transport must see the
                // whole backlog to judge a slow consumer.
                if (slot.drainQueued) {
                    slot.runBehindDrain(this);
                    return DONE;
                }
                issue(conns);
            } else if (queueable()) {
                // An earlier message may still fail and be cached: it must enter the queue first.
                quiet = slot.whenQuiet();
            }
        }
        if (online) {
            write();
            return DONE;
        }
        if (!queueable()) {
            offline();
            return DONE;
        }
        if (quiet != null) {
            // If the hub closed meanwhile the worker refuses the continuation: fail the send, so
            // that no stage the hub handed out is left incomplete.
            return quiet.thenComposeAsync(v -> run(), slot.hub.worker).whenComplete((v, e) -> {
                if (e != null) {
                    fail(new HubClosedException());
                }
            });
        }
        Throwable failure = enqueue();
        if (failure == null) {
            succeed(new SendResult(SendResult.Status.QUEUED, List.of(), true));
        } else {
            fail(failure);
        }
        return DONE;
    }

    @Override
    public void abort(Throwable reason) {
        fail(reason);
    }

    /** @return null when the queue took the message, else the CacheFailedException */
    private Throwable enqueue() {
        if (slot.hub.queue == null) {
            return new CacheFailedException(slot.uid, new QueueRequiredException());
        }
        try {
            Tracing.enqueue(slot.hub, trace(), slot.uid, payload, Instant.ofEpochMilli(expiry(ttl)));
            slot.hub.metrics.enqueued.increment();
            if (slot.hub.observers != null) {
                slot.hub.observers.enqueued();
            }
            return null;
        } catch (RuntimeException e) {
            return new CacheFailedException(slot.uid, e);
        }
    }

    /** The outcome of the write to a single target, from the transport (untraced send). */
    @Override
    public void writeCompleted(Throwable failure) {
        accept(null, failure);
    }

    /** The outcome of the write to a single target. */
    @Override
    public void accept(Void v, Throwable failure) {
        if (REMAINING.compareAndSet(this, 1, 0)) { // settled by the transport, not already as stalled
            record(0, failure);
            allWritten();
        }
    }

    /** The settled write to one of several targets. */
    private void written(int index, Throwable failure) {
        record(index, failure);
        if (REMAINING.decrementAndGet(this) == 0) {
            allWritten();
        }
    }

    private void record(int index, Throwable failure) {
        if (failure == null) {
            targets[index].written(payload);
        } else {
            synchronized (this) {
                if (targets.length == 1) {
                    outcomes = failure;
                } else {
                    ((Outcome[]) outcomes)[index].failure = failure;
                }
            }
        }
    }

    /** Every write settled: decides about caching and joins the in-order settlement. */
    private void allWritten() {
        int failed = failedCount();
        cache = failed > 0 && queueable() && switch (slot.hub.config.partialSendPolicy()) {
            case CACHE_ON_ANY_FAILURE -> true;
            case CACHE_WHEN_ALL_FAILED -> failed == targets.length;
            case NEVER_CACHE -> false;
        };
        slot.writesDone(this);
    }

    /** @return how many writes failed; computed, not stored: this object's size is what a send allocates */
    private synchronized int failedCount() {
        if (!(outcomes instanceof Outcome[] each)) {
            return outcomes == null ? 0 : 1;
        }
        int n = 0;
        for (Outcome o : each) {
            if (o.failure != null) {
                n++;
            }
        }
        return n;
    }

    /** @return true when the failed message must be put in the queue */
    boolean needsCaching() {
        return cache;
    }

    /** Completes a send that is not cached. Called in send order. */
    void finish() {
        if (cacheRefused) {
            fail(new CacheFailedException(slot.uid, new HubClosedException()));
        } else {
            int failed = failedCount();
            if (failed == 0) {
                // the common case, one connection: its shared result, nothing allocated
                succeed(targets.length == 1 ? targets[0].deliveredHere()
                        : new SendResult(SendResult.Status.DELIVERED, deliveries(), false));
            } else {
                finishUncached(failed);
            }
        }
    }

    /** Caches a message whose writes failed; runs on the user's failure executor, in send order. */
    void cache() {
        try {
            Throwable failure = enqueue();
            if (failure == null) {
                succeed(new SendResult(SendResult.Status.QUEUED, deliveries(), true));
            } else if (failedCount() < targets.length) {
                succeed(new SendResult(SendResult.Status.PARTIALLY_DELIVERED, deliveries(), false));
            } else {
                fail(failure);
            }
        } finally {
            slot.cached(this);
        }
    }

    /** The hub is closing and the message can no longer be cached: {@link #finish()} fails it. Under the slot's monitor. */
    void cacheRefused() {
        cache = false;
        cacheRefused = true;
    }

    private void finishUncached(int failed) {
        SendResult r = new SendResult(SendResult.Status.PARTIALLY_DELIVERED, deliveries(), false);
        if (failed == targets.length) {
            fail(new DeliveryFailedException(slot.uid, r));
        } else {
            succeed(r);
        }
    }

    private List<Delivery> deliveries() {
        if (targets.length == 1) {
            return List.of(delivery(0));
        }
        List<Delivery> out = new ArrayList<>(targets.length);
        for (int i = 0; i < targets.length; i++) {
            out.add(delivery(i));
        }
        return out;
    }

    private Delivery delivery(int i) {
        HubConnection c = targets[i];
        Throwable failure;
        synchronized (this) {
            failure = outcomes instanceof Outcome[] each ? each[i].failure : (Throwable) outcomes;
        }
        return failure == null ? c.delivered() : new Delivery(c.device(), c.adapter.transport(), Optional.of(failure));
    }

    /** The outcome of the write to one target. */
    private static final class Outcome implements BiConsumer<Void, Throwable>, WriteListener {
        private static final AtomicIntegerFieldUpdater<Outcome> SETTLED =
                AtomicIntegerFieldUpdater.newUpdater(Outcome.class, "settled");
        private final SendOperation op;
        private final int index;
        private volatile int settled;
        /** Why the write failed; null while it did not. Guarded by the send operation. */
        Throwable failure;

        Outcome(SendOperation op, int index) {
            this.op = op;
            this.index = index;
        }

        /** @return true for the first of the transport's completion and the stall: it settles the write */
        boolean settle() {
            return SETTLED.compareAndSet(this, 0, 1);
        }

        @Override
        public void accept(Void v, Throwable failure) {
            writeCompleted(failure);
        }

        @Override
        public void writeCompleted(Throwable failure) {
            if (settle()) {
                op.written(index, failure);
            }
        }
    }
}
