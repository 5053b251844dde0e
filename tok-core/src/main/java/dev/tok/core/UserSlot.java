package dev.tok.core;

import dev.tok.api.HubClosedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the hub knows about one user: the online connections and a serial chain of tasks
 * (queue drains, offline enqueues, sends that must wait behind a drain). The monitor of this
 * object guards every mutable field; connections are also published through a volatile array
 * for lock-free reads.
 *
 * <p>Ordering rule: a send may write directly (the fast path) only while the chain is idle and
 * the user has connections; otherwise it becomes a task, so it cannot overtake queued messages.
 *
 * <p>Footprint: there is one slot per online user, so its collections start small (they grow
 * when a user gets busy) and the failure executor, needed only when a write fails and its
 * message must be cached, is created on first use.
 */
final class UserSlot {
    private static final Logger LOG = LoggerFactory.getLogger(UserSlot.class);
    static final HubConnection[] NONE = new HubConnection[0];
    /** Synchronous tasks run per worker hop before the chain yields the thread. */
    static final int HOP_BATCH = 256;
    /** Of the task and in-flight deques: a login's drain and a send or two fit without growing. */
    private static final int INITIAL_CAPACITY = 2;

    final String uid;
    final CoreHub hub;

    /** Online connections, oldest first. Written under the monitor. */
    volatile HubConnection[] conns = NONE;
    /** Removed from the hub's map; a caller holding a retired slot must look it up again. */
    boolean retired;

    /**
     * The chain's tasks; made when a task is submitted and dropped when the chain goes idle, so
     * that an idle user (the common case) does not hold it. Under the monitor.
     */
    private ArrayDeque<SlotTask> tasks;
    private boolean running;
    /** A drain waits at the head of the chain. */
    boolean drainQueued;

    /** Sends whose writes were issued, in issue order, until their outcome is settled in that order. */
    private final ArrayDeque<SendOperation> inflight = new ArrayDeque<>(INITIAL_CAPACITY);
    /** Failed sends being cached, in send order; null until the first. */
    private ArrayDeque<SendOperation> caching;
    private CompletableFuture<Void> quiet;
    /** Caches messages whose writes failed, in send order, off the I/O threads; null until the first. */
    private SerialExecutor failures;
    /** At-least-once sends whose writes were issued and not all settled; null until the first. */
    private ArrayDeque<LogSend> logInflight;

    UserSlot(String uid, CoreHub hub) {
        this.uid = uid;
        this.hub = hub;
    }

    /** An at-least-once send issued its writes. Not under the monitor. */
    synchronized void logWritesIssued(LogSend send) {
        if (logInflight == null) {
            logInflight = new ArrayDeque<>(INITIAL_CAPACITY);
        }
        logInflight.addLast(send);
    }

    /** Every write of an at-least-once send settled. Not under the monitor. */
    void logWritesDone(LogSend send) {
        synchronized (this) {
            logInflight.remove(send);
            hub.retireIfUnused(this);
        }
    }

    /**
     * @param issuedBefore a {@link SendOperation#clockMillis()} value
     * @return at-least-once sends issued before it whose writes are not all settled. Under the monitor.
     */
    List<LogSend> stalledLogSends(int issuedBefore) {
        if (logInflight == null || logInflight.isEmpty()) {
            return List.of();
        }
        List<LogSend> out = new ArrayList<>();
        for (LogSend send : logInflight) {
            if (send.issuedAtMillis - issuedBefore >= 0) {
                break;
            }
            if (!send.writesDone()) {
                out.add(send);
            }
        }
        return out;
    }

    private int logInflightCount() {
        return logInflight == null ? 0 : logInflight.size();
    }

    /** A send issued its writes. Under the monitor. */
    void writesIssued(SendOperation op) {
        inflight.addLast(op);
    }

    /**
     * Every write of a send completed. Outcomes are settled in send order: a send whose writes
     * finished early waits for the earlier ones, so failed messages enter the queue in the order
     * they were sent, whatever order the connections completed their writes in.
     */
    void writesDone(SendOperation op) {
        SendOperation first = null; // the sends settled here, chained through nextSettled (no list)
        SendOperation last = null;
        synchronized (this) {
            op.writesDone = true;
            while (!inflight.isEmpty() && inflight.peekFirst().writesDone) {
                SendOperation head = inflight.pollFirst();
                if (head.needsCaching()) {
                    if (caching == null) {
                        caching = new ArrayDeque<>(INITIAL_CAPACITY);
                        failures = new SerialExecutor(hub.worker);
                    }
                    caching.addLast(head);
                    try {
                        failures.execute(head::cache);
                        continue;
                    } catch (RejectedExecutionException e) {
                        caching.removeLast();
                        head.cacheRefused(); // completes the send in finish(), after the monitor
                    }
                }
                if (first == null) {
                    first = head;
                } else {
                    last.nextSettled = head;
                }
                last = head;
            }
        }
        while (first != null) {
            SendOperation next = first.nextSettled;
            first.nextSettled = null;
            first.finish();
            first = next;
        }
        settled(false);
    }

    /** A failed send was cached (or the queue refused it). */
    void cached(SendOperation op) {
        synchronized (this) {
            caching.remove(op);
        }
        settled(true);
    }

    private boolean cachingNone() {
        return caching == null || caching.isEmpty();
    }

    private void settled(boolean cacheDone) {
        CompletableFuture<Void> done = null;
        synchronized (this) {
            if (inflight.isEmpty() && cachingNone() && quiet != null) {
                done = quiet;
                quiet = null;
            }
            hub.retireIfUnused(this);
        }
        if (done != null) {
            done.complete(null);
        }
    }

    /**
     * Queue work must not overtake a failed write that is about to be cached.
     *
     * @return null when no send is in flight, else a stage completing when none is. Under the monitor.
     */
    CompletableFuture<Void> whenQuiet() {
        if (inflight.isEmpty() && cachingNone()) {
            return null;
        }
        if (quiet == null) {
            quiet = new CompletableFuture<>();
        }
        return quiet;
    }

    /** Puts a task that found a pending drain right behind that drain. Under the monitor. */
    void runBehindDrain(SlotTask task) {
        SlotTask drain = tasks.pollFirst(); // a drain waits: the chain has tasks
        tasks.addFirst(task);
        tasks.addFirst(drain);
    }

    /** @return true when a send may write directly: connections exist and no task waits. Under the monitor. */
    boolean fastPathOpen() {
        return !running && conns.length > 0;
    }

    /**
     * @return sends waiting in the hub for this user: in the chain, written but not completed
     *         (at-least-once sends included), or being cached. Under the monitor.
     */
    int pendingSends() {
        int queued = tasks == null ? 0 : tasks.size();
        int waitingSends = drainQueued ? queued - 1 : queued;
        return waitingSends + inflight.size() + (caching == null ? 0 : caching.size()) + logInflightCount();
    }

    /**
     * Appends a task to the chain. Under the monitor.
     *
     * @return true when the chain was idle: the caller must call {@link #start()} once it
     *         released the monitor
     */
    boolean submit(SlotTask task) {
        tasks().addLast(task);
        return claimStart();
    }

    /**
     * Schedules a drain of the user's queue ahead of every task that has not started yet, so that
     * queued messages precede live ones that waited behind a login. Under the monitor.
     *
     * @return true when the caller must call {@link #start()} once it released the monitor
     */
    boolean submitDrain() {
        return submitDrain(null);
    }

    /**
     * As {@link #submitDrain()}, with the drain waiting first for {@code after} (in a cluster: the
     * new connection's registration, so that other nodes send to it rather than queue once the
     * drain has read the queue). Under the monitor.
     *
     * @param after completes, either way, when the drain may read the queue; null: at once
     */
    boolean submitDrain(CompletableFuture<Void> after) {
        if (drainQueued) {
            return false;
        }
        drainQueued = true;
        tasks().addFirst(new Drain(hub, this, after));
        return claimStart();
    }

    /** @return the chain's tasks, made if the chain was idle. Under the monitor. */
    private ArrayDeque<SlotTask> tasks() {
        ArrayDeque<SlotTask> t = tasks;
        if (t == null) {
            tasks = t = new ArrayDeque<>(INITIAL_CAPACITY);
        }
        return t;
    }

    private boolean claimStart() {
        if (running) {
            return false;
        }
        running = true;
        return true;
    }

    /**
     * Starts the chain claimed by {@link #submit} or {@link #submitDrain}. Not under the monitor:
     * when the hub is closed, the tasks are aborted here and their stages complete in this thread.
     */
    void start() {
        execute();
    }

    private void execute() {
        try {
            hub.worker.execute(this::runNext);
        } catch (RejectedExecutionException e) {
            abortAll();
        }
    }

    /**
     * Runs the chain: tasks that finish synchronously (a send written to its connections, an
     * empty drain) run back to back on this worker hop, up to {@link #HOP_BATCH} of them; a task
     * that completes later resumes the chain from its completion. Order is unchanged: one task
     * at a time, in chain order.
     */
    private void runNext() {
        for (int n = 0; n < HOP_BATCH; n++) {
            SlotTask task;
            synchronized (this) {
                task = tasks == null ? null : tasks.pollFirst();
                if (task == null) {
                    tasks = null; // idle: an idle user holds no deque
                    running = false;
                    hub.retireIfUnused(this);
                    return;
                }
                if (task instanceof Drain) {
                    drainQueued = false;
                }
            }
            CompletionStage<Void> stage;
            try {
                stage = task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("task for user '{}' failed", uid, e);
                stage = SlotTask.DONE;
            }
            if (!(stage instanceof CompletableFuture) || !((CompletableFuture<Void>) stage).isDone()) {
                stage.whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.error("task for user '{}' failed", uid, e);
                    }
                    execute();
                });
                return;
            }
            if (((CompletableFuture<Void>) stage).isCompletedExceptionally()) {
                stage.whenComplete((v, e) -> LOG.error("task for user '{}' failed", uid, e));
            }
        }
        execute(); // a long chain yields the worker to other users between batches
    }

    private void abortAll() {
        SlotTask[] pending;
        synchronized (this) {
            pending = tasks == null ? new SlotTask[0] : tasks.toArray(new SlotTask[0]);
            tasks = null;
            running = false;
            drainQueued = false;
        }
        for (SlotTask t : pending) {
            t.abort(new HubClosedException());
        }
    }

    /**
     * The hub closes and its grace period is over: every send still waiting here (in the chain,
     * written but not completed by its transport, or being cached) fails with
     * {@link HubClosedException}. Not under the monitor; completions run in this thread.
     */
    void abortPending() {
        List<SendOperation> ops = new ArrayList<>();
        List<LogSend> logged = List.of();
        synchronized (this) {
            ops.addAll(inflight);
            inflight.clear();
            if (caching != null) {
                ops.addAll(caching);
                caching.clear();
            }
            if (logInflight != null) {
                logged = new ArrayList<>(logInflight);
            }
        }
        abortAll();
        for (SendOperation op : ops) {
            op.abort(new HubClosedException());
        }
        for (LogSend send : logged) {
            send.closed();
        }
        settled(false);
    }

    /**
     * Sends whose writes were issued before {@code issuedBefore} and are not all complete: their
     * transport has not completed a write for longer than the hub's bound. Under the monitor.
     *
     * @param issuedBefore a {@link SendOperation#clockMillis()} value
     * @return the stalled sends, oldest first; empty when none
     */
    List<SendOperation> stalledSends(int issuedBefore) {
        List<SendOperation> out = null;
        for (SendOperation op : inflight) {
            if (op.issuedAtMillis - issuedBefore >= 0) {
                break; // issue order: every later one is younger
            }
            if (!op.writesDone) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(op);
            }
        }
        return out == null ? List.of() : out;
    }

    /** Adds a connection. Under the monitor. */
    void add(HubConnection c) {
        HubConnection[] old = conns;
        HubConnection[] next = java.util.Arrays.copyOf(old, old.length + 1);
        next[old.length] = c;
        conns = next;
    }

    /** Removes a connection; @return true if it was present. Under the monitor. */
    boolean remove(HubConnection c) {
        HubConnection[] old = conns;
        for (int i = 0; i < old.length; i++) {
            if (old[i] == c) {
                HubConnection[] next = new HubConnection[old.length - 1];
                System.arraycopy(old, 0, next, 0, i);
                System.arraycopy(old, i + 1, next, i, old.length - i - 1);
                conns = next.length == 0 ? NONE : next;
                return true;
            }
        }
        return false;
    }

    /** @return true when nothing refers to this slot any more. Under the monitor. */
    boolean unused() {
        return !running && (tasks == null || tasks.isEmpty()) && conns.length == 0 && inflight.isEmpty() && cachingNone()
                && logInflightCount() == 0;
    }
}
