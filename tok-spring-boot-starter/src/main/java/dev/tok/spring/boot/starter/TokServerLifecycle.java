package dev.tok.spring.boot.starter;

import dev.tok.api.TokServer;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the {@link TokServer} when the application context starts and closes it when the context
 * closes, in the phase of Spring Boot's web server graceful shutdown.
 *
 * <p><b>Start</b> ({@link #start()}, on the thread refreshing the context): binds every transport;
 * a failure (a port in use) fails the context refresh with tok's message. Then it logs the
 * listeners and publishes each transport's port as the property {@code local.tok.port.<transport>}
 * (the first transport of a name), like Spring Boot's {@code local.server.port}, so tests with
 * {@code port=0} can read it.
 *
 * <p><b>Stop</b> ({@link #stop(Runnable)}): {@link TokServer#close()} runs on a thread of its own
 * ({@code tok-server-stop}) and completes Spring's callback when it has finished, so the server
 * drains in parallel with the web server's graceful shutdown (same phase,
 * {@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}) and before the beans it uses
 * (executors, the meter registry) are destroyed. {@code close()} stops the transports (each within
 * the stop timeout, {@code tok.stop-timeout}), which close their connections with
 * {@code SERVER_SHUTDOWN}, then closes the hub, which waits for pending work and closes the queue.
 * Spring waits for the callback at most {@code spring.lifecycle.timeout-per-shutdown-phase}
 * (default 30 s); keep it above the transports' stop timeouts. With or without
 * {@code server.shutdown=graceful}, tok's close is the same: it has no "immediate" form.
 *
 * <p>A {@code TokServer} starts once: this lifecycle is not pauseable ({@link #isPauseable()}
 * false, so the test framework's context pausing leaves it running), and starting it again after
 * it was stopped throws {@link IllegalStateException}.
 *
 * @since 0.1
 */
public final class TokServerLifecycle implements SmartLifecycle {

    /**
     * The phase: Spring Boot's graceful-shutdown phase ({@code SmartLifecycle.DEFAULT_PHASE - 1024},
     * {@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}). Started after the web server
     * (which starts at {@code DEFAULT_PHASE - 2048}), stopped before it.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    /** The name of the property source holding {@code local.tok.port.*}. */
    public static final String PORTS_PROPERTY_SOURCE = "tok.server.ports";

    private static final Logger LOG = LoggerFactory.getLogger(TokServerLifecycle.class);

    /** What this lifecycle has done with the server. */
    enum State {
        NEW, RUNNING, STOPPING, STOPPED
    }

    private final TokServer server;
    private final Environment environment;
    private final CompletableFuture<Void> closed;
    private volatile State state = State.NEW;

    /**
     * @param server      the unstarted server; not null
     * @param environment where to publish the ports; not null
     */
    public TokServerLifecycle(TokServer server, Environment environment) {
        this.server = Objects.requireNonNull(server, "server");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.closed = server.closeFuture().toCompletableFuture();
    }

    /**
     * Starts the server: binds every transport. Called by Spring on the thread refreshing the
     * context; returns when every transport listens.
     *
     * @throws dev.tok.api.TokException if a transport does not start (the server is closed again)
     * @throws IllegalStateException if this lifecycle was stopped before: a tok server starts once
     */
    @Override
    public synchronized void start() {
        if (state == State.RUNNING) {
            return;
        }
        if (state != State.NEW) {
            throw new IllegalStateException("the tok server was stopped and cannot start again (a TokServer starts once): "
                    + "close the application context and create a new one instead of stopping and starting it");
        }
        server.start();
        state = State.RUNNING;
        publishPorts();
        LOG.info("tok server started: {}", server.listeners());
    }

    private void publishPorts() {
        Map<String, Object> ports = new LinkedHashMap<>();
        for (TokServer.Listener l : server.listeners()) {
            if (l.address() instanceof InetSocketAddress) {
                ports.putIfAbsent("local.tok.port." + l.transport(), ((InetSocketAddress) l.address()).getPort());
            }
        }
        if (environment instanceof ConfigurableEnvironment) {
            ConfigurableEnvironment env = (ConfigurableEnvironment) environment;
            env.getPropertySources().remove(PORTS_PROPERTY_SOURCE);
            env.getPropertySources().addFirst(new MapPropertySource(PORTS_PROPERTY_SOURCE, ports));
        }
    }

    /** Closes the server on the calling thread; Spring calls {@link #stop(Runnable)} instead. */
    @Override
    public void stop() {
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.STOPPING;
        }
        close();
    }

    /**
     * Closes the server on the thread {@code tok-server-stop} and runs the callback when it has
     * finished (also when closing failed, which is logged). Returns at once.
     *
     * @param callback Spring's completion callback; not null
     */
    @Override
    public void stop(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        synchronized (this) {
            if (state != State.RUNNING) {
                callback.run();
                return;
            }
            state = State.STOPPING;
        }
        Thread stopper = new Thread(() -> {
            try {
                close();
            } finally {
                callback.run();
            }
        }, "tok-server-stop");
        stopper.start();
    }

    private void close() {
        long start = System.nanoTime();
        try {
            server.close();
            LOG.info("tok server stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("tok server closed with a failure", e);
        } finally {
            state = State.STOPPED;
        }
    }

    /** @return true from a successful {@link #start()} until a stop begins or the server is closed otherwise */
    @Override
    public boolean isRunning() {
        return state == State.RUNNING && !closed.isDone();
    }

    /** @return false: a paused context keeps its tok server running (a TokServer cannot start again) */
    @Override
    public boolean isPauseable() {
        return false;
    }

    /** @return {@link #PHASE} */
    @Override
    public int getPhase() {
        return PHASE;
    }

    /** @return the server this lifecycle starts and stops; never null */
    public TokServer server() {
        return server;
    }

    /** @return what this lifecycle has done with the server, and whether it was closed otherwise */
    State state() {
        State s = state;
        return s == State.RUNNING && closed.isDone() ? State.STOPPED : s;
    }
}
