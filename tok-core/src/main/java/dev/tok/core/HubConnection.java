package dev.tok.core;

import dev.tok.api.BeforeSend;
import dev.tok.api.ByeGenerator;
import dev.tok.api.CloseReason;
import dev.tok.api.Delivery;
import dev.tok.api.Device;
import dev.tok.api.SendResult;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.WriteListener;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's side of one registered connection: inbound frames go through a per-connection
 * serial inbox to the actor executor (order kept, I/O thread never blocked, reading paused when
 * the inbox is full), or, with a declared non-blocking actor, straight to the actor on the I/O
 * thread while nothing waits in the inbox; outbound writes go through {@code BeforeSend} to the
 * adapter.
 *
 * <p>Held for every connection, so kept small: counters and flags are plain volatile fields with
 * updaters, not atomic objects; the inbox and its task are made when a frame first waits; pings
 * are sent by the hub's sweep, not by a scheduled task per connection.
 *
 * <p>With a {@code ConnectHook}, the inbox starts closed: {@link #pending} starts at one, a
 * stand-in for the hook that no frame can schedule past, and the hook's end removes it (and
 * schedules the frames that arrived meanwhile). So the actor sees no frame before the hook
 * returned. The close hook waits for the connect hook too ({@link #hooks}).
 */
final class HubConnection implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(HubConnection.class);
    private static final int INBOX_BATCH = 64;
    /** {@link #hooks}: the connect hook returned (or there is none). */
    private static final int CONNECT_DONE = 1;
    /** {@link #hooks}: the connection closed before the connect hook returned; its end runs the close hook. */
    private static final int CLOSE_WANTED = 2;
    private static final AtomicIntegerFieldUpdater<HubConnection> HOOKS =
            AtomicIntegerFieldUpdater.newUpdater(HubConnection.class, "hooks");
    private static final AtomicIntegerFieldUpdater<HubConnection> PENDING =
            AtomicIntegerFieldUpdater.newUpdater(HubConnection.class, "pending");
    private static final AtomicIntegerFieldUpdater<HubConnection> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(HubConnection.class, "closed");

    private final CoreHub hub;
    private final Device device;
    final ConAdapter adapter;
    /** The transport's name, read once for the observers. */
    final String transport;
    /** The application's view of this connection; one per connection. */
    final ConnectionView context;
    /** The connection's id in the cluster, unique on this node; null when the hub is not in a cluster. */
    final String clusterId;
    /** What this connection was given of the user's message log; null in at-most-once mode. */
    final LogCursor logCursor;
    /** {@link #CONNECT_DONE} and {@link #CLOSE_WANTED}. */
    private volatile int hooks;

    /**
     * Frames waiting for the actor; made by the reading thread when a frame first waits, and seen
     * by the drain through {@link #pending} (written before the increment that schedules it).
     */
    private ConcurrentLinkedQueue<byte[]> inbox;
    /** Frames received and not yet handed to the actor (plus one for a connect hook still running). */
    private volatile int pending;
    /** Guarded by {@link #inboxLock()}: the hub paused reading because too many frames wait. */
    private volatile boolean paused;
    /** The inbox drain as a task, made on first use: scheduled once per burst of inbound frames. */
    private Runnable inboxTask;

    /** Set by every inbound frame and activity report; the hub's sweep clears it (read timeout). */
    private volatile boolean active;
    /** When the sweep last found the connection active ({@link System#nanoTime()}); sweep thread only. */
    private long lastSeenNanos = System.nanoTime();

    /** 1 once closed; set once, by {@link #close(CloseReason, boolean)} or {@link #onClosed}. */
    private volatile int closed;
    /** Why the connection closed; written once by the winner of {@link #closed}, before {@code unregister}. */
    private volatile CloseReason closeReason;
    /** With server pings: when the sweep sends the next ping ({@link SendOperation#clockMillis()}); sweep thread only. */
    private int nextPingMillis;
    /** See {@link #deliveredHere()}; built on first use, so idle connections do not pay for it. */
    private SendResult deliveredHere;

    HubConnection(CoreHub hub, Device device, ConAdapter adapter) {
        this.hub = hub;
        this.device = device;
        this.adapter = adapter;
        this.transport = adapter.transport();
        this.context = new ConnectionView(this);
        this.clusterId = hub.cluster == null ? null : hub.cluster.newConnectionId();
        this.logCursor = hub.atLeastOnce
                ? new LogCursor(this, hub.config.maxInflightMessages(), hub.config.maxInflightBytes()) : null;
        if (hub.connectHook == null) {
            hooks = CONNECT_DONE;
        } else {
            pending = 1; // the connect hook's stand-in: frames wait for it
        }
    }

    @Override
    public Device device() {
        return device;
    }

    /** @return the hub */
    CoreHub hub() {
        return hub;
    }

    /**
     * The connection is registered: runs the connect hook (if any) on the actor executor, then
     * opens the inbox. Called once, by {@code register}, after the user's monitor was released.
     */
    void connected() {
        if (hub.connectHook == null) {
            return;
        }
        try {
            hub.actorExecutor.execute(this::runConnectHook);
        } catch (RejectedExecutionException e) {
            LOG.warn("actor executor refused the connect hook of {}; it does not run", device);
            connectDone();
        }
    }

    private void runConnectHook() {
        try {
            hub.connectHook.onConnect(context);
        } catch (RuntimeException e) {
            LOG.error("ConnectHook failed for {}", device, e);
        } finally {
            connectDone();
        }
    }

    /** The connect hook returned: frames may reach the actor, the close hook may run. */
    private void connectDone() {
        if (PENDING.decrementAndGet(this) > 0) {
            // On the actor executor (or, refused, the registering thread): not a transport's
            // thread, so a non-blocking actor's run here is not timed
            if (hub.actorInline) {
                drainInbox();
            } else {
                submitInbox();
            }
        }
        int before = HOOKS.getAndUpdate(this, h -> h | CONNECT_DONE);
        if ((before & CLOSE_WANTED) != 0) {
            hub.scheduleCloseHook(this);
        }
    }

    /**
     * @return true when the close hook may be scheduled now; false when the connect hook has not
     *         returned yet, which then schedules it
     */
    boolean closeHookMayRun() {
        while (true) {
            int h = hooks;
            if ((h & CONNECT_DONE) != 0) {
                return true;
            }
            if (HOOKS.compareAndSet(this, h, h | CLOSE_WANTED)) {
                return false;
            }
        }
    }

    boolean isClosed() {
        return closed != 0;
    }

    /** @return why the connection closed; null while it is open */
    CloseReason closeReason() {
        return closeReason;
    }

    // ---- inbound ------------------------------------------------------------------------

    @Override
    public void onFrame(byte[] frame) {
        hub.metrics.framesUp.increment();
        Observers o = hub.observers;
        if (o != null) {
            o.frameReceived(transport, frame.length);
        }
        if (!active) {
            active = true;
        }
        UserRateLimit rates = hub.userRates;
        if (rates != null && !rates.tryAcquire(device.uid(), frame.length)) {
            if (closed == 0) {
                LOG.info("closing {}: the user's inbound rate limit (user-rate-limit-*) is exceeded", this);
            }
            close(CloseReason.RATE_LIMITED);
            return;
        }
        if (hub.actorInline && PENDING.compareAndSet(this, 0, 1)) {
            // A declared non-blocking actor and nothing waiting: hand the frame over right here.
            // Only this (the reading) thread adds frames, so none can arrive meanwhile; one that
            // a connect hook's end scheduled is drained below.
            long start = System.nanoTime();
            deliver(frame);
            hub.actorRan(this, System.nanoTime() - start);
            if (PENDING.decrementAndGet(this) > 0) {
                scheduleInbox();
            }
            return;
        }
        ConcurrentLinkedQueue<byte[]> q = inbox;
        if (q == null) {
            inbox = q = new ConcurrentLinkedQueue<>();
        }
        q.offer(frame);
        int before = PENDING.getAndIncrement(this);
        if (before == 0) {
            scheduleInbox();
        } else if (before + 1 > hub.maxPendingFrames && !paused) {
            synchronized (inboxLock()) {
                if (!paused && pending > hub.maxPendingFrames) {
                    paused = true;
                    adapter.pauseReading();
                    // The actor may have drained the inbox between the check above and the write
                    // of paused without seeing it (it reads paused only after each decrement):
                    // look again, now that paused is visible to it. Either it sees paused and
                    // resumes, or this sees its decrements and resumes here.
                    if (pending <= hub.maxPendingFrames / 2) {
                        paused = false;
                        adapter.resumeReading();
                    }
                }
            }
        }
    }

    @Override
    public void onActivity() {
        if (!active) {
            active = true;
        }
    }

    /**
     * For the hub's read-timeout sweep (one thread): how long the peer has shown no sign of life.
     * A connection whose reading the hub paused is not silent: the hub stopped listening.
     *
     * @param now {@link System#nanoTime()}
     * @return nanoseconds since the last frame or activity, as seen at the sweeps
     */
    long silentFor(long now) {
        if (active || paused) {
            active = false;
            lastSeenNanos = now;
            return 0;
        }
        return now - lastSeenNanos;
    }

    /** The monitor that guards {@link #paused}: the inbox, which exists whenever reading can be paused. */
    private Object inboxLock() {
        return inbox;
    }

    /**
     * Has the inbox drained: on this thread for a non-blocking actor (timed, so that a stall is
     * caught), else by a task on the actor executor.
     */
    private void scheduleInbox() {
        if (hub.actorInline) {
            long start = System.nanoTime();
            drainInbox(); // returns after a batch: the rest goes to the actor executor
            hub.actorRan(this, System.nanoTime() - start);
            return;
        }
        submitInbox();
    }

    /** Has the inbox drained by a task on the actor executor. */
    private void submitInbox() {
        Runnable task = inboxTask;
        if (task == null) {
            inboxTask = task = this::drainInbox; // racy but harmless: drains never overlap (pending)
        }
        try {
            hub.actorExecutor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.warn("actor executor refused frames of {}: dropping {} frame(s)", device, pending);
            inbox.clear();
            pending = 0;
        }
    }

    private void drainInbox() {
        int processed = 0;
        while (true) {
            byte[] frame = inbox.poll();
            deliver(frame);
            int left = PENDING.decrementAndGet(this);
            if (paused && left <= hub.maxPendingFrames / 2) {
                synchronized (inboxLock()) {
                    if (paused && pending <= hub.maxPendingFrames / 2) {
                        paused = false;
                        adapter.resumeReading();
                    }
                }
            }
            if (left == 0) {
                return;
            }
            if (++processed >= INBOX_BATCH) {
                submitInbox(); // fair to the other connections: the rest in a new task
                return;
            }
        }
    }

    /** Hands a frame to the actor; the tracer, if any, is told around it on this thread. */
    private void deliver(byte[] frame) {
        Tracing t = hub.tracing;
        Object trace = t == null ? null : t.receiveStarted(context, frame.length);
        if (trace == null) {
            receive(frame);
            return;
        }
        Throwable failure = null;
        try {
            failure = receive(frame);
        } catch (Error e) {
            failure = e;
            throw e;
        } finally {
            t.receiveFinished(trace, failure);
        }
    }

    /** @return what {@code BeforeReceive} or the actor threw (logged here); null when they returned */
    private RuntimeException receive(byte[] frame) {
        byte[] payload = frame;
        if (hub.beforeReceive != null) {
            try {
                payload = hub.beforeReceive.beforeReceive(context, frame);
            } catch (RuntimeException e) {
                LOG.info("frame from {} rejected by BeforeReceive: {}", device, e.toString());
                return e;
            }
        }
        try {
            hub.actor.onReceive(context, payload);
            return null;
        } catch (RuntimeException e) {
            LOG.error("actor failed on a frame from {} over transport '{}' from {}", device, adapter.transport(), adapter.remoteAddress(), e);
            return e;
        }
    }

    // ---- outbound -----------------------------------------------------------------------

    /**
     * Writes one frame through {@code BeforeSend}.
     *
     * @return the adapter's stage; failed if the connection is closed or the hook threw
     */
    CompletionStage<Void> write(byte[] payload) {
        return writeLogged(0, payload);
    }

    /**
     * Writes one frame through {@code BeforeSend}: a message of the user's log (at-least-once
     * mode) with its id, anything else with id 0.
     *
     * @param id the message's id; 0 for a frame that is not in the log
     * @return the adapter's stage; failed if the connection is closed or the hook threw
     */
    CompletionStage<Void> writeLogged(long id, byte[] payload) {
        if (closed != 0) {
            return CompletableFuture.failedFuture(closedFailure());
        }
        byte[] frame;
        try {
            frame = beforeSend(id, payload);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            return adapter.write(frame);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Writes one frame through {@code BeforeSend} and tells {@code listener} the outcome, through
     * {@link ConAdapter#write(byte[], WriteListener)}: a send's path, which lets the transport
     * write without allocating a stage. The listener is called exactly once, possibly in this
     * thread before this method returns; never under a hub lock (callers hold none).
     *
     * @param listener told the outcome: a failure if the connection is closed or the hook threw
     */
    void write(byte[] payload, WriteListener listener) {
        if (closed != 0) {
            listener.writeCompleted(closedFailure());
            return;
        }
        byte[] frame;
        try {
            frame = beforeSend(0, payload);
        } catch (RuntimeException e) {
            listener.writeCompleted(e);
            return;
        }
        try {
            adapter.write(frame, listener);
        } catch (RuntimeException e) {
            // the SPI reports failures to the listener; a transport that throws has not called it
            listener.writeCompleted(e);
        }
    }

    private byte[] beforeSend(long id, byte[] payload) {
        BeforeSend hook = hub.beforeSend;
        return hook == null ? payload : id == 0 ? hook.beforeSend(device, payload) : hook.beforeSend(device, id, payload);
    }

    private TokException closedFailure() {
        return new TokException("connection of " + device + " is closed");
    }

    /**
     * The result of a send written to this connection alone without failure. Every such send
     * gets the same instance: {@link SendResult} and {@link Delivery} are immutable records (the
     * list is {@code List.of}), so sharing them is safe, and a send allocates no result of its own.
     *
     * @return status {@code DELIVERED}, one successful delivery to this connection, not queued
     */
    SendResult deliveredHere() {
        // A racy initialisation is fine: only final fields, so any thread sees a complete object;
        // at worst two threads each build one.
        SendResult r = deliveredHere;
        if (r == null) {
            r = new SendResult(SendResult.Status.DELIVERED,
                    List.of(new Delivery(device, adapter.transport(), Optional.empty())), false);
            deliveredHere = r;
        }
        return r;
    }

    /** @return the successful delivery to this connection; the same immutable instance every time */
    Delivery delivered() {
        return deliveredHere().deliveries().get(0);
    }

    /** Records a completed write of a message given to {@code Hub.send}. */
    void written(byte[] payload) {
        framesDown(payload);
        if (hub.afterSend != null) {
            try {
                hub.afterSend.afterSend(device, payload);
            } catch (RuntimeException e) {
                LOG.error("AfterSend failed for {}", device, e);
            }
        }
    }

    /** Counts a frame written to this connection. */
    private void framesDown(byte[] payload) {
        hub.metrics.framesDown.increment();
        Observers o = hub.observers;
        if (o != null) {
            o.frameWritten(transport, payload.length);
        }
    }

    /**
     * Server pings start: the first is due after a random half to whole interval from now. The
     * hub's sweep sends them ({@link #pingIfDue}). Called before the connection joins its user's
     * connections, where the sweep finds it.
     */
    void startPings(int intervalMillis) {
        // The first ping after a random part of the interval, between half and all of it:
        // connections that logged in together (a reconnection storm after a restart) would
        // otherwise be pinged in the same sweep, a burst of writes every interval, forever.
        int half = intervalMillis / 2;
        nextPingMillis = SendOperation.clockMillis() + (intervalMillis - half)
                + (half > 0 ? java.util.concurrent.ThreadLocalRandom.current().nextInt(half + 1) : 0);
    }

    /** @return when the next ping is due, in {@link SendOperation#clockMillis()}; for tests */
    int nextPingMillis() {
        return nextPingMillis;
    }

    /**
     * Sends a ping when one is due; sweep thread only.
     *
     * @param nowMillis      {@link SendOperation#clockMillis()}
     * @param intervalMillis the ping interval
     */
    void pingIfDue(int nowMillis, int intervalMillis) {
        if (nowMillis - nextPingMillis >= 0 && closed == 0) {
            nextPingMillis = nowMillis + intervalMillis;
            ping();
        }
    }

    private void ping() {
        byte[] payload;
        try {
            payload = hub.pingGenerator.ping();
        } catch (RuntimeException e) {
            LOG.error("PingGenerator failed", e);
            return;
        }
        write(payload).whenComplete((v, e) -> {
            if (e == null) {
                framesDown(payload);
            }
        });
    }

    /** Single sign-on: sends the bye payload (if any), then closes with {@link CloseReason#SSO_REPLACED}. */
    void kick(Device kicker, String reason) {
        bye(kicker, reason);
        close(CloseReason.SSO_REPLACED);
    }

    /**
     * The hub shuts down: sends the bye payload for {@link ByeGenerator#REASON_SHUTDOWN} (if any),
     * then closes gracefully with {@link CloseReason#SERVER_SHUTDOWN}, flushing what was written.
     */
    void shutdown() {
        bye(device, ByeGenerator.REASON_SHUTDOWN);
        close(CloseReason.SERVER_SHUTDOWN);
    }

    private void bye(Device kicker, String reason) {
        if (hub.byeGenerator != null && closed == 0) {
            try {
                hub.byeGenerator.bye(kicker, reason, device).ifPresent(bye -> write(bye).whenComplete((v, e) -> {
                    if (e == null) {
                        framesDown(bye);
                    }
                }));
            } catch (RuntimeException e) {
                LOG.error("ByeGenerator failed for {}", device, e);
            }
        }
    }

    // ---- close --------------------------------------------------------------------------

    /**
     * The hub closes the connection (kick, single sign-on, read or write timeout, hub close).
     * Only a hub shutdown closes gracefully, flushing what was written; the others abort
     * ({@link ConAdapter#abort}): the peer may be dead, and a flush would hold the user's pending
     * writes for the whole write timeout. The close hook is scheduled before this returns, so
     * {@code Hub.close()} can wait for it.
     *
     * @param reason why; given to the adapter and the close hook
     */
    void close(CloseReason reason) {
        close(reason, reason == CloseReason.SERVER_SHUTDOWN);
    }

    /**
     * Closes the connection.
     *
     * @param reason   why; given to the adapter and the close hook
     * @param graceful true: the transport flushes what was written first ({@link ConAdapter#close});
     *                 false: it aborts ({@link ConAdapter#abort})
     */
    void close(CloseReason reason, boolean graceful) {
        if (CLOSED.compareAndSet(this, 0, 1)) {
            closeReason = reason;
            try {
                if (graceful) {
                    adapter.close(reason);
                } else {
                    adapter.abort(reason);
                }
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed", device, e);
            }
            afterClose();
        }
    }


    @Override
    public void onClosed(CloseReason reason) {
        if (CLOSED.compareAndSet(this, 0, 1)) {
            closeReason = java.util.Objects.requireNonNull(reason, "reason");
            afterClose();
        }
    }

    private void afterClose() {
        hub.unregister(this);
    }

    @Override
    public String toString() {
        return "Connection[" + device + " over " + adapter.transport() + " from " + adapter.remoteAddress() + "]";
    }
}
