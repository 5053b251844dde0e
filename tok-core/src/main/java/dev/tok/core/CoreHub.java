package dev.tok.core;

import dev.tok.api.Actor;
import dev.tok.api.AfterSend;
import dev.tok.api.AuthRequest;
import dev.tok.api.Authenticator;
import dev.tok.api.BeforeReceive;
import dev.tok.api.BeforeSend;
import dev.tok.api.ByeGenerator;
import dev.tok.api.CloseHook;
import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionLimitException;
import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubClosedException;
import dev.tok.api.HubConfig;
import dev.tok.api.HubMetrics;
import dev.tok.api.OfflineException;
import dev.tok.api.PingGenerator;
import dev.tok.api.Queue;
import dev.tok.api.SendResult;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.TransportContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub. State is per user ({@link UserSlot}, one monitor each): no global lock and no
 * dispatcher thread on the send path, so sends to different users run in parallel.
 */
final class CoreHub implements Hub, HubRuntime, TransportContext {
    private static final Logger LOG = LoggerFactory.getLogger(CoreHub.class);

    final HubConfig config;
    final Queue queue;
    final Actor actor;
    final BeforeReceive beforeReceive;
    final BeforeSend beforeSend;
    final AfterSend afterSend;
    final PingGenerator pingGenerator;
    final ByeGenerator byeGenerator;
    private final CloseHook closeHook;
    private final Authenticator authenticator;

    final Metrics metrics = new Metrics();
    final ExecutorService worker;
    final Executor actorExecutor;
    private final ExecutorService ownActorExecutor;
    final ScheduledThreadPoolExecutor scheduler;

    private final ConcurrentHashMap<String, UserSlot> slots = new ConcurrentHashMap<>();
    private final java.util.function.Function<String, UserSlot> newSlot = uid -> new UserSlot(uid, this);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;

    CoreHub(HubConfig config) {
        this.config = config;
        this.queue = config.queue().orElse(null);
        this.actor = config.actor();
        this.beforeReceive = config.beforeReceive().orElse(null);
        this.beforeSend = config.beforeSend().orElse(null);
        this.afterSend = config.afterSend().orElse(null);
        this.pingGenerator = config.pingGenerator().orElse(null);
        this.byeGenerator = config.byeGenerator().orElse(null);
        this.closeHook = config.closeHook().orElse(null);
        this.authenticator = config.authenticator().orElse(null);
        int cores = Runtime.getRuntime().availableProcessors();
        this.worker = Executors.newFixedThreadPool(Math.max(2, cores), new NamedThreadFactory("worker"));
        if (config.actorExecutor().isPresent()) {
            this.actorExecutor = config.actorExecutor().get();
            this.ownActorExecutor = null;
        } else {
            this.ownActorExecutor = Executors.newFixedThreadPool(Math.max(4, 2 * cores), new NamedThreadFactory("actor"));
            this.actorExecutor = ownActorExecutor;
        }
        this.scheduler = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("scheduler"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        LOG.debug("hub started: sso={}, ping={}, readTimeout={}, queue={}", config.sso(),
                config.pingEnabled() ? config.pingInterval() : "off", config.readTimeout(),
                queue == null ? "none" : queue.getClass().getName());
    }

    // ---- HubRuntime ---------------------------------------------------------------------

    @Override
    public Hub hub() {
        return this;
    }

    @Override
    public TransportContext transportContext() {
        return this;
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
        if (closing) {
            return CompletableFuture.failedFuture(new HubClosedException());
        }
        if (ttl.isZero()) {
            UserSlot existing = slots.get(uid);
            if (existing == null || existing.conns.length == 0) {
                return CompletableFuture.failedFuture(new OfflineException(uid));
            }
        }
        while (true) {
            UserSlot slot = slot(uid);
            SendOperation op;
            boolean direct;
            boolean start = false;
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                op = new SendOperation(this, slot, payload, ttl);
                direct = slot.fastPathOpen();
                if (direct) {
                    op.issue(slot.conns);
                } else {
                    start = slot.submit(op);
                }
            }
            // Outside the monitor: BeforeSend, the transport's write, and whatever a write that
            // completes at once sets off (AfterSend, the stage's dependent actions) are user code.
            if (direct) {
                op.write();
            } else if (start) {
                slot.start();
            }
            return op.result;
        }
    }

    @Override
    public boolean isOnline(String uid) {
        UserSlot slot = slots.get(Objects.requireNonNull(uid, "uid"));
        return slot != null && slot.conns.length > 0;
    }

    @Override
    public Set<String> online() {
        Set<String> out = new HashSet<>();
        for (UserSlot slot : slots.values()) {
            if (slot.conns.length > 0) {
                out.add(slot.uid);
            }
        }
        return Set.copyOf(out);
    }

    @Override
    public int kick(String uid) {
        UserSlot slot = slots.get(Objects.requireNonNull(uid, "uid"));
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

    // ---- TransportContext -----------------------------------------------------------------

    @Override
    public CompletionStage<Device> authenticate(AuthRequest request) {
        Objects.requireNonNull(request, "request");
        if (closing) {
            return CompletableFuture.failedFuture(new HubClosedException());
        }
        if (authenticator == null) {
            return CompletableFuture.failedFuture(new ConfigurationException(
                    "auth required: set HubConfig.builder().authenticator(..) so transports can authenticate connections"));
        }
        try {
            return CompletableFuture.supplyAsync(() -> authenticator.authenticate(request), worker)
                    .thenCompose(stage -> Objects.requireNonNull(stage, "Authenticator returned null"));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new HubClosedException());
        }
    }

    @Override
    public Connection register(Device device, ConAdapter adapter) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(adapter, "adapter");
        HubConnection conn = new HubConnection(this, device, adapter);
        List<HubConnection> kicked = new ArrayList<>(0);
        UserSlot slot;
        boolean startDrain;
        while (true) {
            slot = slot(device.uid());
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                if (closing) {
                    throw new HubClosedException();
                }
                HubConnection[] current = slot.conns;
                if (config.sso()) {
                    for (HubConnection old : current) {
                        if (!adapter.sharesConnectionWith(old.adapter)) {
                            kicked.add(old);
                        }
                    }
                } else if (current.length >= config.maxConnectionsPerUser()) {
                    throw new ConnectionLimitException("user '" + device.uid() + "' already holds " + current.length
                            + " connections, the most maxConnectionsPerUser (tok.hub.max-connections-per-user) allows with sso off");
                }
                for (HubConnection old : kicked) {
                    slot.remove(old);
                    metrics.onlineConnections.decrementAndGet();
                }
                if (current.length == 0) {
                    metrics.onlineUsers.incrementAndGet();
                }
                slot.add(conn);
                metrics.onlineConnections.incrementAndGet();
                startDrain = slot.submitDrain();
                break;
            }
        }
        if (startDrain) {
            slot.start();
        }
        for (HubConnection old : kicked) {
            old.kick(device, ByeGenerator.REASON_SSO);
        }
        if (config.pingEnabled()) {
            conn.startPings(config.pingInterval().toMillis());
        }
        return conn;
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

    /** Called once per connection when it closed, whoever closed it. */
    void unregister(HubConnection conn) {
        UserSlot slot = slots.get(conn.device().uid());
        if (slot != null) {
            synchronized (slot) {
                if (slot.remove(conn)) {
                    metrics.onlineConnections.decrementAndGet();
                    if (slot.conns.length == 0) {
                        metrics.onlineUsers.decrementAndGet();
                    }
                }
                retireIfUnused(slot);
            }
        }
        if (closeHook != null) {
            try {
                worker.execute(() -> runCloseHook(conn));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                runCloseHook(conn);
            }
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
        }
    }

    // ---- close --------------------------------------------------------------------------

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        List<HubConnection> all = new ArrayList<>();
        for (UserSlot slot : slots.values()) {
            synchronized (slot) {
                all.addAll(List.of(slot.conns));
            }
        }
        for (HubConnection c : all) {
            c.close(CloseReason.SERVER_SHUTDOWN);
        }
        scheduler.shutdownNow();
        long waitMillis = Math.min(config.writeTimeout().toMillis(), 10_000);
        worker.shutdown();
        awaitQuietly(worker, waitMillis);
        if (ownActorExecutor != null) {
            ownActorExecutor.shutdown();
            awaitQuietly(ownActorExecutor, waitMillis);
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
}
