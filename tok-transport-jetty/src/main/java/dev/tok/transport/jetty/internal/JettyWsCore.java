package dev.tok.transport.jetty.internal;

import dev.tok.api.CloseReason;
import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.WsSettings;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine-independent part of the {@code jetty-ws} transport: settings, the hub context, the
 * open connections and the timer that pings them, closes slow consumers and ends closes that take
 * too long (the read timeout is the hub's). As a {@link Transport}
 * it is the mounted form (the application owns the Jetty {@code Server}); the standalone form
 * wraps it with its own server.
 */
public final class JettyWsCore implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(JettyWsCore.class);
    /** The provider's name. */
    public static final String NAME = "jetty-ws";

    private final WsSettings settings;
    /** Connection limits and auth-failure bans, shared with the other built-in transports. */
    private final EdgeGuard guard;
    private final Supplier<SocketAddress> address;
    private final Set<JettyWsConnection> connections = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile TransportContext context;
    private volatile boolean stopping;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> ticks;

    /**
     * @param settings the validated settings
     * @param address  supplies the address to report on start (the server's connector)
     */
    public JettyWsCore(WsSettings settings, Supplier<SocketAddress> address) {
        this.settings = settings;
        this.address = address;
        this.guard = settings.edge().newGuard();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @return the settings */
    public WsSettings settings() {
        return settings;
    }

    /** @return the connection limits and auth-failure bans of this transport */
    public EdgeGuard guard() {
        return guard;
    }

    /** @return the hub context, or null before start */
    public TransportContext context() {
        return context;
    }

    /** @return true once stop began: new upgrades are refused with 503 */
    public boolean refusing() {
        return stopping || context == null;
    }

    /**
     * @param device the authenticated device
     * @param remote the peer
     * @param ticket the connection's place in the connection limits; the connection releases it
     *               when it closes
     * @return a connection to hand to the endpoint
     */
    public JettyWsConnection newConnection(Device device, SocketAddress remote, EdgeGuard.Ticket ticket) {
        return new JettyWsConnection(this, device, remote, ticket);
    }

    boolean add(JettyWsConnection c) {
        connections.add(c);
        if (stopping) {
            connections.remove(c);
            return false;
        }
        return true;
    }

    void remove(JettyWsConnection c) {
        connections.remove(c);
        if (stopping && connections.isEmpty()) {
            stopped.complete(null);
        }
    }

    @Override
    public synchronized CompletionStage<SocketAddress> start(TransportContext ctx) {
        if (context != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("transport 'jetty-ws' already started; a Transport starts once"));
        }
        SocketAddress bound;
        try {
            bound = address.get();
        } catch (ConfigurationException e) {
            return CompletableFuture.failedFuture(e);
        }
        HubConfig hub = ctx.config();
        long ping = settings.pingInterval(hub).toNanos();
        long write = settings.writeTimeout(hub).toNanos();
        long grace = Math.max(settings.stopTimeout().toNanos(), TimeUnit.MILLISECONDS.toNanos(100));
        long tick = Math.min(positive(ping), Math.min(write, grace)) / 4;
        tick = Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(tick, TimeUnit.SECONDS.toNanos(1)));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "tok-jetty-ws-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        timer = t;
        ticks = t.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            for (JettyWsConnection c : connections) {
                try {
                    c.tick(now, ping, write, grace);
                } catch (RuntimeException e) {
                    LOG.warn("timer check of {} failed", c, e);
                }
            }
        }, tick, tick, TimeUnit.NANOSECONDS);
        context = ctx;
        LOG.info("jetty-ws listening on {} path {} ({}, ping interval {}, max-pending-bytes {}, {})", bound, settings.path(),
                settings.tls().isPresent() ? "wss" : "ws", Duration.ofNanos(ping), settings.maxPendingBytes(),
                settings.edge().describe());
        return CompletableFuture.completedFuture(bound);
    }

    private static long positive(long nanos) {
        return nanos <= 0 ? Long.MAX_VALUE : nanos;
    }

    /**
     * Sends close 1001 to every connection, waits for them up to the stop timeout, then drops the
     * rest. Does not stop the Jetty server.
     */
    @Override
    public synchronized CompletionStage<Void> stop() {
        if (stopping) {
            return stopped;
        }
        stopping = true;
        for (JettyWsConnection c : connections) {
            c.closeWith(CloseReason.SERVER_SHUTDOWN);
        }
        if (connections.isEmpty()) {
            stopped.complete(null);
        }
        ScheduledExecutorService t = timer;
        if (t == null) {
            stopped.complete(null);
            return stopped;
        }
        ScheduledFuture<?> deadline = t.schedule(() -> {
            for (JettyWsConnection c : connections) {
                c.abort(CloseReason.SERVER_SHUTDOWN);
            }
            stopped.complete(null);
        }, settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return stopped.whenComplete((v, e) -> {
            deadline.cancel(false);
            ticks.cancel(false);
            t.shutdown();
        });
    }

    /** @return how many connections are open */
    public int connectionCount() {
        return connections.size();
    }
}
