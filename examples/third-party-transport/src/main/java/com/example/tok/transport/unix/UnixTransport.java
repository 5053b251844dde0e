package com.example.tok.transport.unix;

import dev.tok.api.TokException;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The {@code unix} transport: one non-blocking {@link ServerSocketChannel} on a socket file and
 * one selector thread for it and every connection, so no thread ever waits for one client.
 * Other threads talk to the loop through a task queue and {@link Selector#wakeup()}.
 */
final class UnixTransport implements Transport {

    private static final System.Logger LOG = System.getLogger(UnixTransport.class.getName());

    private final UnixSettings settings;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Loop thread only. */
    private final Set<UnixConnection> connections = new HashSet<>();
    private TransportContext context;
    private Selector selector;
    private ServerSocketChannel server;
    private Thread loop;
    private volatile boolean stopping;
    /** Loop thread only: set when stop began. */
    private boolean draining;
    private long stopDeadline;
    private long tickMillis;
    private long authTimeoutNanos;
    private long writeTimeoutNanos;

    UnixTransport(UnixSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return UnixTransportProvider.NAME;
    }

    UnixSettings settings() {
        return settings;
    }

    TransportContext context() {
        return context;
    }

    @Override
    public synchronized CompletionStage<SocketAddress> start(TransportContext context) {
        if (this.context != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("transport 'unix' already started; a Transport starts once"));
        }
        this.context = context;
        if (Files.exists(settings.path)) {
            return CompletableFuture.failedFuture(new TokException("cannot listen on " + settings.path
                    + ": the file exists (another server uses it, or an earlier one did not remove it); "
                    + "remove it or choose another 'path'"));
        }
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(settings.path);
        try {
            selector = Selector.open();
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(address, 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            closeChannels();
            return CompletableFuture.failedFuture(new TokException("cannot listen on " + settings.path + ": " + e.getMessage(), e));
        }
        authTimeoutNanos = settings.authTimeout(context.config()).toNanos();
        writeTimeoutNanos = settings.writeTimeout(context.config()).toNanos();
        // timers are checked on every tick: a quarter of the shortest, between 10 and 250 ms (the
        // read timeout is the hub's: every frame read reaches it through Connection.onFrame)
        long shortest = Math.min(authTimeoutNanos, writeTimeoutNanos);
        tickMillis = Math.max(10, Math.min(250, Duration.ofNanos(shortest).toMillis() / 4));
        loop = new Thread(this::run, "tok-unix-" + settings.path.getFileName());
        loop.start();
        LOG.log(Level.INFO, "transport ''unix'' listening on {0}", settings.path);
        return CompletableFuture.completedFuture(address);
    }

    long authTimeoutNanos() {
        return authTimeoutNanos;
    }

    long writeTimeoutNanos() {
        return writeTimeoutNanos;
    }

    /** @return true on the selector thread */
    boolean inLoop() {
        return Thread.currentThread() == loop;
    }

    /** Runs {@code task} on the selector thread. */
    void execute(Runnable task) {
        tasks.add(task);
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    private void run() {
        try {
            while (true) {
                selector.select(tickMillis);
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.attachment() instanceof UnixConnection) {
                        ((UnixConnection) key.attachment()).ready(key);
                    }
                }
                long now = System.nanoTime();
                for (UnixConnection c : new ArrayList<>(connections)) {
                    c.tick(now);
                }
                if (draining && (connections.isEmpty() || now - stopDeadline > 0)) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "transport 'unix' on " + settings.path + " failed", e);
        } finally {
            for (UnixConnection c : new ArrayList<>(connections)) {
                c.closeNow(dev.tok.api.CloseReason.SERVER_SHUTDOWN, "transport stopped");
            }
            closeChannels();
            deleteSocketFile();
            // whatever was queued for the loop now runs here, on a closed transport
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                task.run();
            }
            LOG.log(Level.INFO, "transport ''unix'' on {0} stopped", settings.path);
            stopped.complete(null);
        }
    }

    private void accept() throws IOException {
        for (SocketChannel channel = server.accept(); channel != null; channel = server.accept()) {
            if (stopping || connections.size() >= settings.maxConnections) {
                LOG.log(Level.WARNING, "transport ''unix'' refused a connection: {0}",
                        stopping ? "stopping" : "max-connections " + settings.maxConnections + " reached");
                channel.close();
                continue;
            }
            channel.configureBlocking(false);
            UnixConnection c = new UnixConnection(this, channel, System.nanoTime());
            c.register(channel.register(selector, SelectionKey.OP_READ, c));
            connections.add(c);
        }
    }

    void removed(UnixConnection c) {
        connections.remove(c);
    }

    @Override
    public CompletionStage<Void> stop() {
        synchronized (this) {
            if (stopping) {
                return stopped;
            }
            stopping = true;
            if (loop == null) {
                stopped.complete(null);
                return stopped;
            }
        }
        execute(() -> {
            try {
                server.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing the server channel", e);
            }
            deleteSocketFile();
            draining = true;
            stopDeadline = System.nanoTime() + settings.shutdownGracePeriod.toNanos();
            for (UnixConnection c : new ArrayList<>(connections)) {
                c.close(dev.tok.api.CloseReason.SERVER_SHUTDOWN); // after the frames already queued, within the grace period
            }
        });
        return stopped;
    }

    private void closeChannels() {
        try {
            if (server != null) {
                server.close();
            }
            if (selector != null) {
                selector.close();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the selector", e);
        }
    }

    private void deleteSocketFile() {
        try {
            Files.deleteIfExists(settings.path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove the socket file " + settings.path, e);
        }
    }
}
