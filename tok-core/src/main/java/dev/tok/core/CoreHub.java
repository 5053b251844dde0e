package dev.tok.core;

import dev.tok.api.AcknowledgeHook;
import dev.tok.api.Actor;
import dev.tok.api.AfterSend;
import dev.tok.api.AuthRequest;
import dev.tok.api.Authenticator;
import dev.tok.api.BeforeReceive;
import dev.tok.api.BeforeSend;
import dev.tok.api.ByeGenerator;
import dev.tok.api.CloseHook;
import dev.tok.api.CloseReason;
import dev.tok.api.ConfigurationException;
import dev.tok.api.ConnectHook;
import dev.tok.api.ConnectionContext;
import dev.tok.api.ConnectionLimitException;
import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubClosedException;
import dev.tok.api.HubConfig;
import dev.tok.api.HubMetrics;
import dev.tok.api.OfflineException;
import dev.tok.api.PendingLimitException;
import dev.tok.api.PingGenerator;
import dev.tok.api.Queue;
import dev.tok.api.SendOutcome;
import dev.tok.api.SendResult;
import dev.tok.api.SessionPolicy;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.TransportContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub. State is per user ({@link UserSlot}, one monitor each): no global lock and no
 * dispatcher thread on the send path, so sends to different users run in parallel.
 *
 * <p>The transport-facing side ({@link TransportContext}) and the runtime handed to
 * {@code TokServer} ({@link HubRuntime}) are separate objects, so that a {@link Hub} cannot be
 * cast to reach {@code register}.
 */
final class CoreHub implements Hub {
    private static final Logger LOG = LoggerFactory.getLogger(CoreHub.class);
    /** Authentications that may wait for a thread of the auth pool; beyond, they fail at once. */
    static final int MAX_WAITING_AUTHENTICATIONS = 1024;
    /** The hub waits at most this long on close for connections to flush and work to finish. */
    static final long MAX_CLOSE_GRACE_MILLIS = 10_000;

    final HubConfig config;
    final Queue queue;
    final Actor actor;
    final BeforeReceive beforeReceive;
    final BeforeSend beforeSend;
    final AfterSend afterSend;
    final PingGenerator pingGenerator;
    final ByeGenerator byeGenerator;
    private final CloseHook closeHook;
    final ConnectHook connectHook;
    private final SessionPolicy sessionPolicy;
    private final Authenticator authenticator;
    /** This hub's membership in a cluster; null when it runs alone (and then costs nothing). */
    final ClusterLink cluster;
    /** {@link DeliveryMode#AT_LEAST_ONCE}: sends go through the user's message log. */
    final boolean atLeastOnce;
    final AcknowledgeHook acknowledgeHook;
    /** The client ids of {@code ConnectionContext.sendOnce}. */
    final ClientIds clientIds;

    final Metrics metrics = new Metrics();
    /** The configured observers as one; null when there are none (the hot paths test for null only). */
    final Observers observers;
    /** The configured tracer, guarded; null when there is none (the hot paths test for null only). */
    final Tracing tracing;
    /** The per-user inbound rate limit; null when off. */
    final UserRateLimit userRates;
    final ExecutorService worker;
    final Executor actorExecutor;
    private final ExecutorService ownActorExecutor;
    /**
     * True while a declared non-blocking actor runs on the transports' I/O threads
     * ({@code HubConfig.nonBlockingActor()}); false for good once its runs stalled (see {@link #actorRan}).
     */
    volatile boolean actorInline;
    /** Inbound frames waiting for the actor before a connection's reading pauses ({@code max-pending-frames}). */
    final int maxPendingFrames;
    /** A run of the non-blocking actor longer than this is a stall ({@code actor-stall-threshold}). */
    private final long actorStallNanos;
    /**
     * Runs of a non-blocking actor during the hub's first this many frames are its warm-up: the
     * first runs load and initialise the application's classes and run interpreted, which can
     * take longer than the stall threshold (and other threads wait for a class being initialised),
     * so they are not taken for blocking.
     */
    static final int ACTOR_WARM_UP_FRAMES = 1_000;
    /** Stalls of a non-blocking actor within {@link #ACTOR_STALL_WINDOW_NANOS} that move it to the actor executor. */
    static final int ACTOR_STALLS = 3;
    /** See {@link #ACTOR_STALLS}: one minute. */
    static final long ACTOR_STALL_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Guarded by {@link #actorStallLock}: stalls counted since {@link #actorFirstStallNanos}. */
    private int actorStallCount;
    private long actorFirstStallNanos;
    /** Makes the stall count exact and the warning one of a kind when several threads see stalls at once. */
    private final Object actorStallLock = new Object();
    /** With server pings: the interval in milliseconds for the sweep's int clock; 0 without. */
    private final int pingIntervalMillis;
    /** Runs authenticators, which may block, apart from the worker's queue and chain work. */
    private final ThreadPoolExecutor authPool;
    /** Authentications not yet completed, failed with HubClosedException on close. */
    private final Set<CompletableFuture<Device>> pendingAuths = ConcurrentHashMap.newKeySet();
    final ScheduledThreadPoolExecutor scheduler;
    /** A write whose transport has not completed it for this long counts as failed. */
    final long stalledWriteNanos;
    /** The same in milliseconds for the sweep's int clock, at most ~6 days (so int differences never wrap). */
    private final int stalledWriteMillis;
    private final long readTimeoutNanos;
    /** The liveness sweep, the one task always on the scheduler. */
    final java.util.concurrent.ScheduledFuture<?> sweepTask;
    private final TransportContext transports = new Transports();
    private final HubRuntime runtime = new RuntimeView();

    private final ConcurrentHashMap<String, UserSlot> slots = new ConcurrentHashMap<>();
    private final java.util.function.Function<String, UserSlot> newSlot = uid -> new UserSlot(uid, this);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;
    /** close(grace) began: logins are refused; sends are still accepted until {@link #closing}. */
    private volatile boolean draining;
    /** Completed when the hub is closing and no user slot is left: everything settled. */
    private final CompletableFuture<Void> idle = new CompletableFuture<>();

    CoreHub(HubConfig config) {
        this.config = config;
        this.queue = config.queue().orElse(null);
        this.atLeastOnce = config.delivery() == DeliveryMode.AT_LEAST_ONCE;
        if (atLeastOnce && queue == null) {
            throw new ConfigurationException("at-least-once delivery keeps every message in the queue until the user's devices "
                    + "acknowledge it, and no queue is configured: set HubConfig.builder().queue(..), or a queue provider with "
                    + "TokServer.builder(config).queue(\"memory\" | \"chronicle\" | \"redis\", ..)");
        }
        this.cluster = config.cluster().map(c -> new ClusterLink(this, c)).orElse(null);
        this.acknowledgeHook = config.acknowledgeHook().orElse(null);
        this.clientIds = new ClientIds(this, config.clientIdWindow(), config.maxClientIdsPerDevice());
        this.actor = config.actor();
        this.beforeReceive = config.beforeReceive().orElse(null);
        this.beforeSend = config.beforeSend().orElse(null);
        this.afterSend = config.afterSend().orElse(null);
        this.pingGenerator = config.pingGenerator().orElse(null);
        this.byeGenerator = config.byeGenerator().orElse(null);
        this.closeHook = config.closeHook().orElse(null);
        this.connectHook = config.connectHook().orElse(null);
        this.sessionPolicy = config.sessionPolicy();
        this.authenticator = config.authenticator().orElse(null);
        this.observers = Observers.of(config.observers());
        this.tracing = Tracing.of(config.tracer().orElse(null));
        this.userRates = UserRateLimit.of(config);
        int cores = Runtime.getRuntime().availableProcessors();
        this.worker = Executors.newFixedThreadPool(Math.max(2, cores), new NamedThreadFactory("worker"));
        if (config.actorExecutor().isPresent()) {
            this.actorExecutor = config.actorExecutor().get();
            this.ownActorExecutor = null;
        } else {
            this.ownActorExecutor = Executors.newFixedThreadPool(Math.max(4, 2 * cores), new NamedThreadFactory("actor"));
            this.actorExecutor = ownActorExecutor;
        }
        int authThreads = Math.max(4, 2 * cores);
        this.authPool = new ThreadPoolExecutor(authThreads, authThreads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_WAITING_AUTHENTICATIONS), new NamedThreadFactory("auth"));
        this.authPool.allowCoreThreadTimeOut(true);
        this.scheduler = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("scheduler"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.stalledWriteNanos = 2 * config.writeTimeout().toNanos();
        this.stalledWriteMillis = (int) Math.min(Integer.MAX_VALUE / 4, TimeUnit.NANOSECONDS.toMillis(stalledWriteNanos));
        this.readTimeoutNanos = config.readTimeout().toNanos();
        this.maxPendingFrames = config.maxPendingFrames();
        this.actorInline = config.nonBlockingActor();
        this.actorStallNanos = config.actorStallThreshold().toNanos();
        this.pingIntervalMillis = config.pingEnabled()
                ? (int) Math.max(1, Math.min(Integer.MAX_VALUE / 4, config.pingInterval().toMillis())) : 0;
        long sweepMillis = sweepPeriodMillis(config);
        this.sweepTask = scheduler.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        if (cluster != null) {
            try {
                cluster.start();
            } catch (RuntimeException e) {
                scheduler.shutdownNow();
                worker.shutdownNow();
                authPool.shutdownNow();
                if (ownActorExecutor != null) {
                    ownActorExecutor.shutdownNow();
                }
                cluster.close();
                throw e;
            }
        }
        LOG.debug("hub started: sessions={}, ping={}, readTimeout={}, queue={}", sessionPolicy,
                config.pingEnabled() ? config.pingInterval() : "off", config.readTimeout(),
                queue == null ? "none" : queue.getClass().getName());
    }

    /** @return the runtime handed to {@code TokServer}: this hub and its transport side */
    HubRuntime runtime() {
        return runtime;
    }

    /** @return the side transports talk to */
    TransportContext transports() {
        return transports;
    }

    private final class RuntimeView implements HubRuntime {
        @Override
        public Hub hub() {
            return CoreHub.this;
        }

        @Override
        public TransportContext transportContext() {
            return transports;
        }
    }

    private final class Transports implements TransportContext {
        @Override
        public HubConfig config() {
            return config;
        }

        @Override
        public CompletionStage<Device> authenticate(AuthRequest request) {
            return CoreHub.this.authenticate(request);
        }

        @Override
        public Connection register(Device device, ConAdapter adapter) {
            return CoreHub.this.register(device, adapter);
        }

        @Override
        public String toString() {
            return "TransportContext[" + CoreHub.this + "]";
        }
    }

    // ---- Hub ----------------------------------------------------------------------------

    @Override
    public CompletionStage<SendResult> send(String uid, byte[] payload, Duration ttl) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative, was " + ttl);
        }
        if (atLeastOnce) {
            return sendLogged(uid, payload, ttl);
        }
        if (cluster != null) {
            List<dev.tok.api.spi.ClusterConnection> elsewhere = cluster.cached(uid);
            if (elsewhere == null || !elsewhere.isEmpty()) {
                return routedSend(uid, payload, ttl, null);
            }
        }
        return send(uid, payload, ttl, null);
    }

    /**
     * A send to a user who has (or may have) connections on other nodes: a {@link RoutedSend} in
     * the user's chain.
     */
    private CompletionStage<SendResult> routedSend(String uid, byte[] payload, Duration ttl, Device only) {
        long startNanos = observers == null ? 0 : System.nanoTime();
        Object trace = tracing == null ? null : tracing.sendStarted(uid, payload.length);
        if (closing) {
            return failedSend(new HubClosedException(), startNanos, trace);
        }
        long expiresAtMillis = ttl.isZero() ? 0 : SendOperation.expiry(ttl);
        RoutedSend send = submitBounded(uid, slot -> new RoutedSend(this, slot, payload, expiresAtMillis, only, startNanos, trace));
        return send != null ? send.result
                : failedSend(new PendingLimitException(uid, config.maxPendingSendsPerUser()), startNanos, trace);
    }

    /**
     * Appends a send to the user's chain unless the user's pending-send bound is reached.
     *
     * @param task makes the task for the user's slot; called under the slot's monitor
     * @return the task, submitted (and the chain started if it was idle); null at the bound
     */
    private <T extends SlotTask> T submitBounded(String uid, java.util.function.Function<UserSlot, T> task) {
        while (true) {
            UserSlot slot = slot(uid);
            T t;
            boolean start;
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                if (slot.pendingSends() >= config.maxPendingSendsPerUser()) {
                    return null;
                }
                t = task.apply(slot);
                start = slot.submit(t);
            }
            if (start) {
                slot.start();
            }
            return t;
        }
    }

    /**
     * Another node routed a send here: writes it to this node's connections of the user (of the
     * device), in the user's order, never queued, and reports each connection by its cluster id.
     */
    CompletionStage<java.util.Map<String, dev.tok.api.spi.RemoteWrite.Status>> deliverRouted(dev.tok.api.spi.ClusterSend send) {
        if (send.logId() > 0) {
            return CompletableFuture.completedFuture(catchUpLog(send.uid()));
        }
        while (true) {
            UserSlot slot = slots.get(send.uid());
            if (slot == null || closing) {
                return CompletableFuture.completedFuture(java.util.Map.of()); // no connection here
            }
            RoutedDelivery delivery = new RoutedDelivery(this, slot, send.payload(), send.deviceId().orElse(null));
            boolean direct;
            boolean start = false;
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                direct = slot.fastPathOpen();
                if (direct) {
                    delivery.take(slot.conns);
                } else {
                    start = slot.submit(delivery);
                }
            }
            if (direct) {
                delivery.write();
            } else if (start) {
                slot.start();
            }
            return delivery.result;
        }
    }

    /**
     * A send in at-least-once mode: always a task of the user's chain, which appends the message
     * to the user's log and writes it to the connections caught up with the log.
     */
    private CompletionStage<SendResult> sendLogged(String uid, byte[] payload, Duration ttl) {
        long startNanos = observers == null ? 0 : System.nanoTime();
        Object trace = tracing == null ? null : tracing.sendStarted(uid, payload.length);
        if (closing) {
            return failedSend(new HubClosedException(), startNanos, trace);
        }
        if (ttl.isZero() && cluster == null && !isOnlineHere(uid)) { // in a cluster, LogSend asks
            return failedSend(new OfflineException(uid), startNanos, trace);
        }
        LogSend send = submitBounded(uid, slot -> new LogSend(slot, payload, ttl, startNanos, trace));
        return send != null ? send.result
                : failedSend(new PendingLimitException(uid, config.maxPendingSendsPerUser()), startNanos, trace);
    }

    /**
     * At-least-once delivery in a cluster: lets the user's connections on this node catch up with
     * the shared log (a {@link LogNudge} in the user's chain).
     *
     * @return the connections that will, by cluster id, as written
     */
    java.util.Map<String, dev.tok.api.spi.RemoteWrite.Status> catchUpLog(String uid) {
        if (!atLeastOnce || closing) {
            return java.util.Map.of();
        }
        while (true) {
            UserSlot slot = slots.get(uid);
            if (slot == null) {
                return java.util.Map.of();
            }
            boolean start;
            HubConnection[] conns;
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                conns = slot.conns;
                if (conns.length == 0) {
                    return java.util.Map.of();
                }
                start = slot.submit(new LogNudge(slot));
            }
            if (start) {
                slot.start();
            }
            java.util.Map<String, dev.tok.api.spi.RemoteWrite.Status> out = new java.util.HashMap<>();
            for (HubConnection c : conns) {
                out.put(c.clusterId, dev.tok.api.spi.RemoteWrite.Status.WRITTEN);
            }
            return out;
        }
    }

    /** Presence and log notices may have been missed: every online user's connections catch up with the log. */
    void catchUpEveryLog() {
        if (atLeastOnce) {
            for (String uid : slots.keySet()) {
                catchUpLog(uid);
            }
        }
    }

    /** {@code ConnectionContext.acknowledge}: a task of the user's chain. */
    void acknowledge(HubConnection conn, long upToId) {
        if (!atLeastOnce) {
            throw new IllegalStateException("acknowledge needs at-least-once delivery: messages have no ids in at-most-once "
                    + "mode; set HubConfig.builder().delivery(DeliveryMode.AT_LEAST_ONCE) (key delivery=at-least-once)");
        }
        if (closing || conn.isClosed()) {
            return; // the device acknowledges again on its next connection
        }
        while (true) {
            UserSlot slot = slot(conn.device().uid());
            boolean start;
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                start = slot.submit(new LogAck(slot, conn, upToId));
            }
            if (start) {
                slot.start();
            }
            return;
        }
    }

    @Override
    public CompletionStage<SendResult> send(Device device, byte[] payload, Duration ttl) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(ttl, "ttl");
        if (!ttl.isZero()) {
            throw new IllegalArgumentException("a send to one device is never queued (the queue is per user), so its ttl "
                    + "must be zero, was " + ttl + ": use Duration.ZERO, or send(uid, ..) to queue for the user's next login");
        }
        if (cluster != null) {
            List<dev.tok.api.spi.ClusterConnection> elsewhere = cluster.cached(device.uid());
            if (elsewhere == null || !elsewhere.isEmpty()) {
                return routedSend(device.uid(), payload, ttl, device);
            }
        }
        return send(device.uid(), payload, ttl, device);
    }

    /** {@code ConnectionContext.reply}: a send to one connection, in its user's order. */
    CompletionStage<SendResult> reply(HubConnection conn, byte[] payload) {
        if (conn.isClosed() && !closing) {
            return failedSend(new OfflineException(conn.device()), observers == null ? 0 : System.nanoTime(),
                    tracing == null ? null : tracing.sendStarted(conn.device().uid(), payload.length));
        }
        return send(conn.device().uid(), payload, Duration.ZERO, conn);
    }

    /**
     * @param only null: every connection of the user; a {@link Device} or a {@link HubConnection}:
     *             see {@link SendOperation#SendOperation(CoreHub, UserSlot, byte[], Duration, Object, long)}
     */
    private CompletionStage<SendResult> send(String uid, byte[] payload, Duration ttl, Object only) {
        long startNanos = observers == null ? 0 : System.nanoTime();
        Object trace = tracing == null ? null : tracing.sendStarted(uid, payload.length);
        if (closing) {
            return failedSend(new HubClosedException(), startNanos, trace);
        }
        if (ttl.isZero() && !isOnlineHere(uid)) {
            return failedSend(only == null ? new OfflineException(uid)
                    : new OfflineException(only instanceof Device ? (Device) only : ((HubConnection) only).device()),
                    startNanos, trace);
        }
        while (true) {
            UserSlot slot = slot(uid);
            SendOperation op = null;
            boolean limited = false;
            boolean direct = false;
            boolean offline = false;
            boolean start = false;
            locked:
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                if (slot.pendingSends() >= config.maxPendingSendsPerUser()) {
                    limited = true; // failed after the monitor: the observers are user code
                    break locked;
                }
                op = trace == null ? new SendOperation(this, slot, payload, ttl, only, startNanos)
                        : new TracedSendOperation(this, slot, payload, ttl, only, startNanos, trace);
                direct = slot.fastPathOpen();
                if (direct) {
                    HubConnection[] targets = op.select(slot.conns);
                    if (targets.length == 0) {
                        offline = true; // a targeted send whose device or connection is gone
                    } else {
                        op.issue(targets);
                    }
                }
                if (!direct) {
                    start = slot.submit(op);
                }
            }
            // Outside the monitor: BeforeSend, the transport's write, and whatever a write that
            // completes at once sets off (AfterSend, the stage's dependent actions, observers) are user code.
            if (limited) {
                return failedSend(new PendingLimitException(uid, config.maxPendingSendsPerUser()), startNanos, trace);
            }
            if (offline) {
                op.offline();
            } else if (direct) {
                op.write();
            } else if (start) {
                slot.start();
            }
            return op;
        }
    }

    /**
     * A send that failed before it became a {@link SendOperation}; never under a monitor.
     *
     * @param trace the tracer's token of the send; null when it is not traced
     */
    private CompletionStage<SendResult> failedSend(TokException failure, long startNanos, Object trace) {
        if (observers != null) {
            observers.sendCompleted(SendOutcome.of(failure), startNanos);
        }
        if (trace != null) {
            tracing.sendFinished(trace, SendOutcome.of(failure), failure);
        }
        return CompletableFuture.failedFuture(failure);
    }

    @Override
    public List<ConnectionContext> connections(String uid) {
        UserSlot slot = slots.get(Objects.requireNonNull(uid, "uid"));
        return slot == null ? List.of() : contexts(slot.conns);
    }

    private static List<ConnectionContext> contexts(HubConnection[] conns) {
        if (conns.length == 0) {
            return List.of();
        }
        ConnectionContext[] out = new ConnectionContext[conns.length];
        for (int i = 0; i < conns.length; i++) {
            out[i] = conns[i].context;
        }
        return Collections.unmodifiableList(Arrays.asList(out));
    }

    /**
     * {@inheritDoc}
     *
     * <p>In a cluster, true also when the user has a connection on another node; asks the cluster
     * when this node has none and nothing about the user is cached (blocks for that lookup).
     */
    @Override
    public boolean isOnline(String uid) {
        return isOnlineHere(uid) || (cluster != null && cluster.onlineElsewhere(uid));
    }

    /** @return whether the user has a connection on this node */
    boolean isOnlineHere(String uid) {
        UserSlot slot = slots.get(Objects.requireNonNull(uid, "uid"));
        return slot != null && slot.conns.length > 0;
    }

    /** @return the user's connections on this node, a snapshot */
    HubConnection[] connectionsHere(String uid) {
        UserSlot slot = slots.get(uid);
        return slot == null ? UserSlot.NONE : slot.conns;
    }

    /** @return true once the hub began closing */
    boolean isClosing() {
        return closing || draining;
    }

    /** @return the session policy */
    SessionPolicy sessionPolicy() {
        return sessionPolicy;
    }

    @Override
    public Set<String> online() {
        Set<String> out = new HashSet<>();
        if (cluster != null) {
            out.addAll(cluster.online()); // every live node's users; this node's below (a registration may be under way)
        }
        for (UserSlot slot : slots.values()) {
            if (slot.conns.length > 0) {
                out.add(slot.uid);
            }
        }
        return Set.copyOf(out);
    }

    @Override
    public int kick(String uid) {
        int here = kickHere(Objects.requireNonNull(uid, "uid"));
        if (cluster == null) {
            return here;
        }
        try {
            return here + cluster.kickElsewhere(uid);
        } catch (TokException e) {
            throw new TokException("closed " + here + " connection(s) of '" + uid + "' on node " + cluster.nodeId
                    + ", but could not reach the other nodes: " + e.getMessage(), e);
        }
    }

    /** Closes the user's connections on this node; @return how many */
    int kickHere(String uid) {
        UserSlot slot = slots.get(uid);
        if (slot == null) {
            return 0;
        }
        HubConnection[] conns = slot.conns;
        for (HubConnection c : conns) {
            c.close(CloseReason.KICKED);
        }
        return conns.length;
    }

    @Override
    public HubMetrics metrics() {
        return metrics;
    }

    @Override
    public HubConfig config() {
        return config;
    }

    // ---- the transport side -------------------------------------------------------------

    /**
     * Runs the authenticator on the auth pool, apart from the worker: an authenticator that
     * blocks delays only other logins, never queue work or sends. At most
     * {@link #MAX_WAITING_AUTHENTICATIONS} wait for a thread; beyond, the stage fails at once.
     */
    CompletionStage<Device> authenticate(AuthRequest request) {
        Objects.requireNonNull(request, "request");
        if (closing || draining) {
            return CompletableFuture.failedFuture(new HubClosedException());
        }
        if (authenticator == null) {
            return CompletableFuture.failedFuture(new ConfigurationException(
                    "auth required: set HubConfig.builder().authenticator(..) so transports can authenticate connections"));
        }
        CompletableFuture<Device> result = new CompletableFuture<>();
        pendingAuths.add(result);
        result.whenComplete((d, e) -> pendingAuths.remove(result));
        try {
            authPool.execute(() -> {
                try {
                    CompletionStage<Device> stage = authenticator.authenticate(request);
                    if (stage == null) {
                        result.completeExceptionally(new NullPointerException("Authenticator returned null"));
                    } else {
                        stage.whenComplete((d, e) -> {
                            if (e == null) {
                                result.complete(d);
                            } else {
                                result.completeExceptionally(e);
                            }
                        });
                    }
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(closing ? new HubClosedException()
                    : new TokException("too many logins are being authenticated: " + MAX_WAITING_AUTHENTICATIONS
                            + " wait for the authenticator already; the connection is refused (the authenticator is too slow"
                            + " for the login rate)"));
        }
        if (closing) { // close() may have failed the pending ones before this one was added
            result.completeExceptionally(new HubClosedException());
        }
        return result;
    }

    Connection register(Device device, ConAdapter adapter) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(adapter, "adapter");
        HubConnection conn = new HubConnection(this, device, adapter);
        if (pingIntervalMillis > 0) {
            // before the sweep can see the connection (slot.conns is volatile: this write is
            // published with it); set later, a sweep in between would find no deadline and ping at once
            conn.startPings(pingIntervalMillis);
        }
        // in a cluster, the drain (or the log's resume) reads the queue once the connection is
        // registered cluster-wide: a message another node queues before that is read; one after,
        // the other node sends (or notifies) here
        CompletableFuture<Void> registered = cluster == null ? null : new CompletableFuture<>();
        List<HubConnection> kicked;
        UserSlot slot;
        boolean startDrain;
        boolean userOnline;
        while (true) {
            if (closing || draining) {
                throw new HubClosedException();
            }
            slot = slot(device.uid());
            // The session policy is user code: it decides outside the monitor, on a snapshot, and
            // the decision is applied only if the user's connections are still that snapshot
            // (every change replaces the array); else it decides again.
            HubConnection[] current = slot.conns;
            kicked = replaced(conn, current);
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                if (closing || draining) {
                    throw new HubClosedException();
                }
                if (slot.conns != current) {
                    continue;
                }
                for (HubConnection old : kicked) {
                    slot.remove(old);
                    metrics.onlineConnections.decrementAndGet();
                }
                userOnline = current.length == 0;
                if (userOnline) {
                    metrics.onlineUsers.incrementAndGet();
                }
                slot.add(conn);
                metrics.onlineConnections.incrementAndGet();
                startDrain = atLeastOnce ? slot.submit(new LogResume(slot, conn, registered)) : slot.submitDrain(registered);
                break;
            }
        }
        if (observers != null) {
            observers.connectionOpened(device, conn.transport, userOnline);
        }
        if (cluster != null) {
            cluster.register(conn).whenComplete((v, e) -> registered.complete(null));
        }
        if (startDrain) {
            slot.start();
        }
        for (HubConnection old : kicked) {
            old.kick(device, ByeGenerator.REASON_SSO);
        }
        conn.connected();
        return conn;
    }

    /**
     * Asks the session policy which of the user's connections the new one replaces. Not under a
     * monitor: the policy is user code.
     *
     * @return the connections to close for the new one, never one sharing its underlying connection
     * @throws ConnectionLimitException when the policy refuses the new connection
     */
    private List<HubConnection> replaced(HubConnection conn, HubConnection[] current) {
        List<ConnectionContext> chosen;
        try {
            chosen = sessionPolicy.replaced(conn.context, contexts(current));
        } catch (ConnectionLimitException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.error("SessionPolicy {} failed for {}; the connection is refused", sessionPolicy, conn.device(), e);
            throw new TokException("SessionPolicy " + sessionPolicy + " failed: " + e, e);
        }
        if (chosen == null) {
            throw new TokException("SessionPolicy " + sessionPolicy + " returned null; the connection is refused");
        }
        if (chosen.isEmpty()) {
            return List.of();
        }
        List<HubConnection> out = new ArrayList<>(chosen.size());
        for (HubConnection old : current) {
            if (chosen.contains(old.context) && !conn.adapter.sharesConnectionWith(old.adapter)) {
                out.add(old);
            }
        }
        return out;
    }

    /** @return the user's slot, or null; for tests and diagnostics */
    UserSlot slotIfPresent(String uid) {
        return slots.get(uid);
    }

    /** @return the user's slot, created when missing; the caller checks {@code retired} under its monitor */
    private UserSlot slot(String uid) {
        UserSlot slot = slots.get(uid);
        return slot != null ? slot : slots.computeIfAbsent(uid, newSlot);
    }

    /**
     * A run of the declared non-blocking actor on a transport's thread ended. One longer than the
     * stall threshold is a stall; {@link #ACTOR_STALLS} of them within {@link #ACTOR_STALL_WINDOW_NANOS}
     * mean the actor blocks, and it moves to the actor executor for good, with a warning that
     * names the fix. A single stall may be the process's (a garbage collection, a starved CPU),
     * so it is only logged; runs during the warm-up are not counted. Frames stay in order: a
     * connection's frames are handed over one drain at a time whichever thread drains.
     *
     * @param conn  the connection whose frames it handled
     * @param nanos how long the run took
     */
    void actorRan(HubConnection conn, long nanos) {
        if (nanos <= actorStallNanos || !actorInline) {
            return;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        if (metrics.framesUp.sum() < ACTOR_WARM_UP_FRAMES) {
            LOG.debug("a run of the non-blocking actor on {}'s frames took {} ms during its warm-up (the hub's first {} "
                    + "frames: classes load, code is interpreted): not taken for blocking", conn, millis, ACTOR_WARM_UP_FRAMES);
            return;
        }
        int stalls;
        long now = System.nanoTime();
        synchronized (actorStallLock) {
            if (!actorInline) {
                return;
            }
            if (actorStallCount == 0 || now - actorFirstStallNanos > ACTOR_STALL_WINDOW_NANOS) {
                actorStallCount = 0;
                actorFirstStallNanos = now;
            }
            stalls = ++actorStallCount;
            if (stalls >= ACTOR_STALLS) {
                actorInline = false;
            }
        }
        String thread = Thread.currentThread().getName();
        long limit = TimeUnit.NANOSECONDS.toMillis(actorStallNanos);
        if (stalls < ACTOR_STALLS) {
            LOG.info("a run of the non-blocking actor on {}'s frames took {} ms on the transport's thread {} "
                    + "(actor-stall-threshold {} ms), stall {} of {} within a minute that would move it to the actor executor",
                    conn, millis, thread, limit, stalls, ACTOR_STALLS);
            return;
        }
        LOG.warn("the actor was declared non-blocking (HubConfig.Builder.nonBlockingActor, key non-blocking-actor) but {} runs "
                + "within a minute took longer than actor-stall-threshold ({} ms), the last {} ms on {}'s frames on the "
                + "transport's thread {}: it blocks, stalling every connection of that thread; the hub runs it on the actor "
                + "executor from now on. Drop the declaration, or make the actor non-blocking (Hub.online/isOnline/kick block "
                + "in a cluster)", stalls, limit, millis, conn, thread);
    }

    /** Called once per connection when it closed, whoever closed it. */
    void unregister(HubConnection conn) {
        UserSlot slot = slots.get(conn.device().uid());
        boolean userOffline = false;
        if (slot != null) {
            synchronized (slot) {
                if (slot.remove(conn)) {
                    metrics.onlineConnections.decrementAndGet();
                    if (slot.conns.length == 0) {
                        metrics.onlineUsers.decrementAndGet();
                        userOffline = true;
                    }
                }
                retireIfUnused(slot);
            }
        }
        if (cluster != null) {
            cluster.unregister(conn);
        }
        if (observers != null) {
            observers.connectionClosed(conn.device(), conn.transport, conn.closeReason(), userOffline);
        }
        if (closeHook != null && conn.closeHookMayRun()) {
            scheduleCloseHook(conn);
        }
    }

    /** Runs the close hook on the worker (in this thread when the worker is shut down). */
    void scheduleCloseHook(HubConnection conn) {
        if (closeHook == null) {
            return;
        }
        try {
            worker.execute(() -> runCloseHook(conn));
        } catch (RejectedExecutionException e) {
            runCloseHook(conn);
        }
    }

    private void runCloseHook(HubConnection conn) {
        try {
            closeHook.onClose(conn.device(), conn.closeReason());
        } catch (RuntimeException e) {
            LOG.error("CloseHook failed for {}", conn.device(), e);
        }
    }

    /** Drops a slot nobody needs. Caller holds the slot's monitor. */
    void retireIfUnused(UserSlot slot) {
        if (!slot.retired && slot.unused()) {
            slot.retired = true;
            slots.remove(slot.uid, slot);
            if (closing && slots.isEmpty()) {
                idle.complete(null); // no dependent action: close() only waits on it
            }
        }
    }

    // ---- liveness -----------------------------------------------------------------------

    /**
     * Sweep period: a quarter of the shortest timeout it enforces, between 10 ms and 250 ms (at
     * most 250 ms so that the pings that fall due, spread over the interval, go out in small
     * batches: with 18,000 connections and 30-s pings, ~150 per sweep).
     */
    static long sweepPeriodMillis(HubConfig config) {
        long shortest = config.writeTimeout().toMillis() * 2;
        if (!config.readTimeout().isZero()) {
            shortest = Math.min(shortest, config.readTimeout().toMillis());
        }
        if (config.pingEnabled()) {
            shortest = Math.min(shortest, config.pingInterval().toMillis());
        }
        return Math.max(10, Math.min(250, shortest / 4));
    }

    /**
     * One pass over the online users, on the scheduler: sends the server pings that are due
     * (the sweep runs at least four times per ping interval, so a ping is at most a quarter of
     * the interval late), closes connections silent for the read timeout (reading paused by the
     * hub does not count as silence), and fails the writes a transport has not completed within
     * {@link #stalledWriteNanos}, closing their connections.
     */
    private void sweep() {
        long now = System.nanoTime();
        int nowMillis = SendOperation.clockMillis();
        try {
            for (UserSlot slot : slots.values()) {
                if (readTimeoutNanos > 0 || pingIntervalMillis > 0) {
                    for (HubConnection c : slot.conns) {
                        if (readTimeoutNanos > 0 && c.silentFor(now) > readTimeoutNanos) {
                            c.close(CloseReason.READ_TIMEOUT);
                        } else if (pingIntervalMillis > 0) {
                            c.pingIfDue(nowMillis, pingIntervalMillis);
                        }
                    }
                }
                List<SendOperation> stalled;
                synchronized (slot) {
                    stalled = slot.stalledSends(nowMillis - stalledWriteMillis);
                }
                for (SendOperation op : stalled) {
                    op.writesStalled();
                }
                if (atLeastOnce) {
                    List<LogSend> stalledLogged;
                    synchronized (slot) {
                        stalledLogged = slot.stalledLogSends(nowMillis - stalledWriteMillis);
                    }
                    for (LogSend send : stalledLogged) {
                        send.writesStalled();
                    }
                }
            }
            clientIds.expire();
        } catch (RuntimeException e) {
            LOG.error("liveness sweep failed", e); // keep sweeping: a thrown exception would cancel the schedule
        }
    }

    // ---- close --------------------------------------------------------------------------

    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Closes in this order: refuse logins; tell every connection why (the bye payload for
     * {@code shutdown}) and close it gracefully, spread over {@code grace}; refuse new work; fail
     * pending authentications; close what registered meanwhile; give the users' pending work
     * (sends being written or queued, drains, caching of failed writes) up to
     * min(write timeout, {@value #MAX_CLOSE_GRACE_MILLIS} ms) to finish; then fail whatever still
     * waits with {@link HubClosedException}, run the worker's unstarted tasks (close hooks among
     * them) in this thread, and close the queue. When it returns, every stage the hub handed out
     * is complete and every close hook ran.
     */
    @Override
    public void close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        draining = true;
        spreadShutdown(grace);
        closing = true;
        for (CompletableFuture<Device> auth : List.copyOf(pendingAuths)) {
            auth.completeExceptionally(new HubClosedException());
        }
        authPool.shutdownNow();
        for (HubConnection c : connectionsNow()) {
            c.shutdown(); // those the spread did not reach (a grace of zero, or a login racing it)
        }
        long graceMillis = Math.min(config.writeTimeout().toMillis(), MAX_CLOSE_GRACE_MILLIS);
        if (slots.isEmpty()) {
            idle.complete(null);
        }
        try {
            idle.get(graceMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("hub close: {} user(s) still had work after {} ms; failing it with HubClosedException",
                    slots.size(), graceMillis);
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("hub close", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        for (UserSlot slot : slots.values()) {
            slot.abortPending();
        }
        if (cluster != null) {
            for (RoutedSend send : List.copyOf(cluster.routing)) {
                send.closed();
            }
        }
        worker.shutdown();
        runLeftovers(worker, "worker");
        if (cluster != null) {
            cluster.close(); // after this node's connections closed: its presence goes at once
        }
        if (ownActorExecutor != null) {
            ownActorExecutor.shutdown();
            awaitQuietly(ownActorExecutor, graceMillis);
        }
        if (queue != null) {
            try {
                queue.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the queue failed", e);
            }
        }
        LOG.debug("hub closed: {}", metrics);
    }

    /** @return every registered connection, a snapshot */
    private List<HubConnection> connectionsNow() {
        List<HubConnection> all = new ArrayList<>();
        for (UserSlot slot : slots.values()) {
            synchronized (slot) {
                all.addAll(List.of(slot.conns));
            }
        }
        return all;
    }

    /**
     * Shuts the connections down one by one, evenly over {@code grace}, in this thread; an
     * interrupt shuts the rest down at once (and stays set).
     */
    private void spreadShutdown(Duration grace) {
        if (grace.isZero()) {
            return;
        }
        List<HubConnection> all = connectionsNow();
        long start = System.nanoTime();
        long total = grace.toNanos();
        boolean interrupted = false;
        for (int i = 0; i < all.size(); i++) {
            long due = start + (long) ((double) total * i / all.size());
            long wait;
            while (!interrupted && (wait = due - System.nanoTime()) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(this, wait);
                interrupted = Thread.interrupted();
            }
            all.get(i).shutdown();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("hub close: {} connection(s) shut down over {}", all.size(), grace);
    }

    /**
     * Gives the executor a moment to finish, then runs the tasks it never started in this thread:
     * close hooks, caching of failed writes, chain steps. With the hub closing they settle at
     * once (sends fail or are queued), and none is dropped.
     */
    private static void runLeftovers(ExecutorService executor, String name) {
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Runnable> left = executor.shutdownNow();
        if (!left.isEmpty()) {
            LOG.debug("hub close: running {} unstarted {} task(s) in the closing thread", left.size(), name);
        }
        for (Runnable task : left) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("hub close: a left-over {} task failed", name, e);
            }
        }
    }

    private static void awaitQuietly(ExecutorService executor, long millis) {
        try {
            if (!executor.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
                LOG.warn("hub threads still busy after {} ms; stopping them", millis);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "CoreHub[" + metrics + "]";
    }
}
