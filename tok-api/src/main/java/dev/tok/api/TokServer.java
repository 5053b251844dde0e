package dev.tok.api;

import dev.tok.api.internal.Suggestions;
import dev.tok.api.spi.HubProvider;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * An assembled tok server: a hub, its queue and its transports, chosen by name.
 *
 * <!-- sample: ApiJavadocSamples.java#tok-server -->
 * <pre>{@code
 * try (TokServer server = TokServer.builder(hubConfig)
 *         .queue("chronicle", Map.of("directory", dataDirectory.toString()))
 *         .transport("tcp", Map.of("port", "0"))                  // 0: any free port
 *         .transport("jetty-ws", Map.of("port", "0"))
 *         .build()
 *         .start()) {
 *     server.listeners().forEach(System.out::println);          // names and bound addresses
 *     runUntilStopped(server);                                    // the application
 * }
 * }</pre>
 *
 * <p>A server process that runs until it is stopped (Ctrl-C, {@code kill}) starts the server,
 * lets a JVM shutdown hook close it, and waits:
 *
 * <!-- sample: ApiJavadocSamples.java#tok-server-join -->
 * <pre>{@code
 * TokServer server = TokServer.builder(hubConfig)
 *         .transport("tcp", Map.of("port", "0"))
 *         .build()
 *         .start()
 *         .closeOnShutdown();
 * System.out.println("tcp on port " + server.port("tcp"));
 * server.join(); // returns once the server has closed
 * }</pre>
 *
 * <p>The same can be read from properties, see {@link Builder#properties(Properties)}.
 *
 * @since 0.1
 */
public final class TokServer implements AutoCloseable {

    /**
     * One started transport and the address it listens on.
     *
     * @param transport the transport's name
     * @param address   the bound address, with the real port when 0 was asked
     */
    public record Listener(String transport, SocketAddress address) {
    }

    private final HubProvider hubProvider;
    private final HubConfig config;
    private final String queueName;
    private final Map<String, String> queueSettings;
    private final String clusterName;
    private final Map<String, String> clusterSettings;
    private final List<Transport> transports;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final List<Listener> listeners = new ArrayList<>();
    private final List<Transport> started = new ArrayList<>();
    /** Completed (outside the lock) when {@link #close()} has finished. */
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    /** Counted down once the close future completed and its actions ran in the closing thread. */
    private final java.util.concurrent.CountDownLatch terminated = new java.util.concurrent.CountDownLatch(1);
    private HubRuntime runtime;
    private boolean startCalled;
    private boolean closed;
    private Thread shutdownHook;

    private TokServer(Builder b, HubProvider hubProvider, List<Transport> transports) {
        this.hubProvider = hubProvider;
        this.config = b.config;
        this.queueName = b.queueName;
        this.queueSettings = Map.copyOf(b.queueSettings);
        this.clusterName = b.clusterName;
        this.clusterSettings = Map.copyOf(b.clusterSettings);
        this.transports = List.copyOf(transports);
        this.startTimeout = b.startTimeout;
        this.stopTimeout = b.stopTimeout;
    }

    /**
     * @param config the hub configuration; needs an {@link Authenticator}
     * @return a builder
     */
    public static Builder builder(HubConfig config) {
        return new Builder(config);
    }

    /**
     * Opens the queue, creates the hub and starts every transport; returns when all listen.
     * On failure the server is closed (see {@link #closeFuture()}) and cannot be started again.
     *
     * @return this server
     * @throws TokException if a transport could not start (everything started is stopped again)
     * @throws IllegalStateException if called twice
     */
    public TokServer start() {
        synchronized (this) {
            if (startCalled || closed) {
                throw new IllegalStateException("a TokServer starts once");
            }
            startCalled = true;
        }
        try {
            startTransports();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    private synchronized void startTransports() {
        if (closed) {
            throw new IllegalStateException("the server was closed while it started");
        }
        HubConfig hubConfig = config;
        Queue queue = null;
        if (queueName != null) {
            queue = Providers.createQueue(queueName, queueSettings);
            hubConfig = config.toBuilder().queue(queue).build();
        }
        dev.tok.api.spi.Cluster cluster = null;
        try {
            if (clusterName != null) {
                cluster = Providers.createCluster(clusterName, clusterSettings);
                hubConfig = hubConfig.toBuilder().cluster(cluster).build();
            }
            runtime = Providers.createHub(hubProvider, hubConfig);
        } catch (RuntimeException e) {
            // the hub would have owned them
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (queue != null) {
                queue.close();
            }
            throw e;
        }
        for (Transport t : transports) {
            started.add(t);
            SocketAddress address = await(t.start(runtime.transportContext()).toCompletableFuture(), startTimeout,
                    "start of transport '" + t.name() + "'");
            listeners.add(new Listener(t.name(), address));
        }
    }

    /** @return the hub; throws {@link IllegalStateException} before {@link #start()} */
    public synchronized Hub hub() {
        if (runtime == null) {
            throw new IllegalStateException("start() the server first");
        }
        return runtime.hub();
    }

    /**
     * The server's transports, in the order they were added, whether started or not. For tools
     * and tests (the transport compatibility kit checks that a transport starts once): the server
     * starts and stops them, the application must not.
     *
     * @return the transports; never null
     */
    public List<Transport> transports() {
        return transports;
    }

    /** @return the started transports with their addresses, in start order */
    public synchronized List<Listener> listeners() {
        return List.copyOf(listeners);
    }

    /**
     * @param transport a transport name
     * @return the address of the first started transport with that name
     */
    public synchronized Optional<SocketAddress> address(String transport) {
        return listeners.stream().filter(l -> l.transport().equals(transport)).map(Listener::address).findFirst();
    }

    /**
     * The bound port of a started transport, for example the real port when {@code 0} was asked.
     * With several transports of one name, the first one started.
     *
     * @param transport a transport name, such as {@code tcp}; not null
     * @return the port it listens on
     * @throws IllegalArgumentException if this server has no transport of that name (the message
     *         names the transports it has, and the closest one to a misspelled name)
     * @throws IllegalStateException if the transport has not started (before {@link #start()}, or
     *         after a failed start), or listens on an address without a port (a Unix socket)
     * @since 0.1
     */
    public synchronized int port(String transport) {
        Objects.requireNonNull(transport, "transport");
        Optional<SocketAddress> address = address(transport);
        if (address.isEmpty()) {
            List<String> names = transports.stream().map(Transport::name).distinct().collect(Collectors.toList());
            if (!names.contains(transport)) {
                throw new IllegalArgumentException("this server has no transport named '" + transport + "'"
                        + Suggestions.didYouMean(transport, names) + "; it has " + names);
            }
            throw new IllegalStateException("transport '" + transport + "' has not started"
                    + (closed ? " (the server is closed)" : "; call start() first") + "; started: "
                    + listeners.stream().map(Listener::transport).collect(Collectors.toList()));
        }
        if (address.get() instanceof InetSocketAddress) {
            return ((InetSocketAddress) address.get()).getPort();
        }
        throw new IllegalStateException("transport '" + transport + "' listens on " + address.get() + ", which has no port");
    }

    /**
     * Closes the server at once: {@link #close(Duration) close(Duration.ZERO)}.
     *
     * @throws TokException the first failure to stop a transport (everything else is still closed)
     */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Closes the server with a coordinated drain: the hub first ({@link Hub#close(Duration)}:
     * logins are refused at once, every connection gets the {@link ByeGenerator}'s
     * {@code shutdown} payload and is closed gracefully with {@link CloseReason#SERVER_SHUTDOWN}
     * (WebSocket 1001), the closes spread evenly over {@code grace}; then pending work settles
     * and the queue closes), then every transport stops (its listener closes; each bounded by the
     * stop timeout). Then it removes the shutdown hook of {@link #closeOnShutdown()} (unless the
     * JVM is shutting down) and completes {@link #closeFuture()}. Idempotent; a second caller
     * returns at once, also while the first one is still closing.
     *
     * @param grace the time over which the connections are closed; not null, not negative
     * @throws TokException the first failure to stop a transport (everything else is still closed)
     * @since 0.1
     */
    public void close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        RuntimeException failure;
        Thread hook;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            failure = closeEverything(grace);
            hook = shutdownHook;
            shutdownHook = null;
        }
        if (hook != null && hook != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // closed by another hook or thread during JVM shutdown: the hook runs and finds the server closed
            }
        }
        // complete outside the lock: dependent stages may call back into this server. The
        // waiters of join()/awaitTermination() wake only after the close future's actions ran in
        // this thread (a thread blocked in CompletableFuture.get() could otherwise run them).
        try {
            if (failure == null) {
                closeFuture.complete(null);
            } else {
                closeFuture.completeExceptionally(failure);
                throw failure;
            }
        } finally {
            terminated.countDown();
        }
    }

    private RuntimeException closeEverything(Duration grace) {
        RuntimeException failure = null;
        // The hub first: it tells the clients why and closes them (flushed) while the transports
        // still run; then the transports release their listeners and whatever is left.
        if (runtime != null) {
            try {
                runtime.hub().close(grace);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            Transport t = started.get(i);
            try {
                await(t.stop().toCompletableFuture(), stopTimeout, "stop of transport '" + t.name() + "'");
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        return failure;
    }

    /**
     * A stage completed once {@link #close()} has finished, whoever called it: the application,
     * a failed {@link #start()}, or the shutdown hook of {@link #closeOnShutdown()}. It completes
     * normally, or exceptionally with the failure {@code close()} threw (a transport that did not
     * stop in time); either way the server is closed. Dependent actions run on the thread that
     * closed the server, after it released the server's lock, or at once on the caller's thread if
     * the server is already closed; they must not block for long when the closing thread is a
     * shutdown hook.
     *
     * @return the close stage; never null; completing it through {@code toCompletableFuture()}
     *         does not affect the server
     * @since 0.1
     */
    public CompletionStage<Void> closeFuture() {
        return closeFuture.minimalCompletionStage();
    }

    /**
     * Blocks the calling thread until the server has closed (see {@link #closeFuture()}), like
     * Jetty's {@code Server.join()}: a {@code main} method starts the server, registers
     * {@link #closeOnShutdown()} and joins. Returns also when closing failed. Same as
     * {@link #awaitTermination()}.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting
     * @since 0.1
     */
    public void join() throws InterruptedException {
        awaitTermination();
    }

    /**
     * Blocks the calling thread until the server has closed (see {@link #closeFuture()}), whoever
     * closes it. Returns also when closing failed.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting
     * @since 0.1
     */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Blocks the calling thread until the server has closed or the timeout has passed.
     *
     * @param timeout the longest to wait; not null; zero or negative only checks
     * @return {@code true} if the server has closed (also when closing failed), {@code false} if
     *         the timeout passed first
     * @throws InterruptedException if the calling thread is interrupted while waiting
     * @since 0.1
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return terminated.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /**
     * Registers a JVM shutdown hook (thread {@code tok-server-shutdown}) that closes this server
     * when the JVM exits normally or on SIGINT/SIGTERM (Ctrl-C, {@code kill}), so that
     * connections get their close frames and the queue is flushed. {@link #close()} removes the
     * hook again, so a closed server is not kept reachable by the JVM. Calling it again, or after
     * the server closed, does nothing. May be called before or after {@link #start()}; any thread.
     *
     * <p>The hook closes the server with the stop timeout of each transport (see
     * {@link Builder#stopTimeout(Duration)}); the JVM waits for it.
     *
     * @return this server
     * @since 0.1
     */
    public TokServer closeOnShutdown() {
        synchronized (this) {
            if (closed || shutdownHook != null) {
                return this;
            }
            shutdownHook = new Thread(this::close, "tok-server-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return this;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f, Duration timeout, String what) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokException(what + " interrupted", e);
        } catch (TimeoutException e) {
            throw new TokException(what + " did not finish within " + timeout, e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof TokException) {
                throw (TokException) cause;
            }
            throw new TokException(what + " failed: " + cause, cause);
        }
    }

    /** Builds a {@link TokServer}. Not thread-safe. */
    public static final class Builder {
        private HubConfig config;
        private String queueName;
        private Map<String, String> queueSettings = Map.of();
        private String clusterName;
        private Map<String, String> clusterSettings = Map.of();
        private boolean allowNodeLocalQueue;
        /** Each one creates its transport when the server is built: from a provider, or given as is. */
        private final List<Supplier<Transport>> transports = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(30);
        private Duration stopTimeout = Duration.ofSeconds(10);

        private Builder(HubConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * Chooses the queue by provider name. Without this call, the hub configuration's queue
         * is used, or the default {@code memory} queue.
         *
         * @param name     the provider name, for example {@code memory} or {@code chronicle}
         * @param settings the provider's settings
         * @return this builder
         */
        public Builder queue(String name, Map<String, String> settings) {
            this.queueName = Objects.requireNonNull(name, "name");
            this.queueSettings = Map.copyOf(settings);
            return this;
        }

        /**
         * Chooses the cluster by provider name: several servers on one cluster engine act as one
         * hub: presence, sends, kicks and single sign-on are cluster-wide (see the
         * {@link dev.tok.api.spi.Cluster} SPI and the README's "Running a cluster"). Without this
         * call the server is a single node. {@link #start()} creates the node, the hub starts it
         * (it joins the cluster before any transport listens) and closes it after its own
         * connections closed.
         *
         * <p>A queue kept on one node (memory, Chronicle) would strand a user's offline messages
         * on the node that queued them; {@link #build()} refuses it with a cluster unless
         * {@link #allowNodeLocalQueue()} says the application knows. Use a shared queue
         * ({@code redis}) instead; at-least-once delivery needs one (the users' message logs are shared).
         *
         * @param name     the provider name, for example {@code redis}
         * @param settings the provider's settings
         * @return this builder
         */
        public Builder cluster(String name, Map<String, String> settings) {
            this.clusterName = Objects.requireNonNull(name, "name");
            this.clusterSettings = Map.copyOf(settings);
            return this;
        }

        /**
         * Allows a queue that is not shared by the nodes ({@code memory}, {@code chronicle}) in a
         * cluster: a message queued for an offline user then waits on the node that queued it and
         * is delivered only when the user logs in to that node. For deployments that pin each user
         * to one node (sticky load balancing) or accept that. Property
         * {@code tok.cluster.allow-node-local-queue=true}.
         *
         * @return this builder
         * @since 0.1
         */
        public Builder allowNodeLocalQueue() {
            this.allowNodeLocalQueue = true;
            return this;
        }

        /**
         * Adds a transport by provider name. Several transports, also several of one kind on
         * different ports, may be added.
         *
         * @param name     the provider name, for example {@code tcp}
         * @param settings the provider's settings
         * @return this builder
         */
        public Builder transport(String name, Map<String, String> settings) {
            Objects.requireNonNull(name, "name");
            Map<String, String> copy = Map.copyOf(settings);
            transports.add(() -> {
                TransportProvider provider = Providers.transport(name);
                Settings s = Settings.of("transport '" + name + "'", copy);
                s.requireKnown(provider.settingNames());
                return provider.create(s);
            });
            return this;
        }

        /**
         * Adds a transport by typed settings, such as those built by
         * {@code TcpTransport.settings()} of {@code tok-transport-tcp}: the same as
         * {@link #transport(String, Map) transport(settings.transport(), settings.asMap())}, so a
         * setting the provider does not know is rejected in the same way.
         *
         * <!-- sample: ApiJavadocSamples.java#builder-transport-settings -->
         * <pre>{@code
         * builder.transport(TcpTransport.settings().port(9000).maxConnections(50_000));
         * }</pre>
         *
         * @param settings the transport's name and settings; {@link TransportSettings#asMap()} is
         *                 copied now, so a builder may be changed and passed again for another
         *                 transport
         * @return this builder
         */
        public Builder transport(TransportSettings settings) {
            Objects.requireNonNull(settings, "settings");
            return transport(settings.transport(), settings.asMap());
        }

        /**
         * Adds a transport the application created itself, for example one mounted into the
         * application's own web server. It is started and stopped with the server like the
         * transports added by name.
         *
         * @param transport an unstarted transport
         * @return this builder
         */
        public Builder transport(Transport transport) {
            Objects.requireNonNull(transport, "transport");
            transports.add(() -> transport);
            return this;
        }

        /**
         * Reads the assembly from properties:
         * <ul>
         * <li>{@code tok.hub.<key>}: hub settings, see {@link HubConfig.Builder#settings(Map)};</li>
         * <li>{@code tok.queue}: the queue provider's name; {@code tok.queue.<key>}: its settings;</li>
         * <li>{@code tok.cluster}: the cluster provider's name; {@code tok.cluster.<key>}: its
         * settings (see {@link #cluster});</li>
         * <li>{@code tok.transports}: comma-separated transport names;
         * {@code tok.transport.<name>.<key>}: each one's settings.</li>
         * </ul>
         * Other keys starting with {@code tok.} are rejected.
         *
         * @param properties the properties
         * @return this builder
         * @throws ConfigurationException for an unknown key or a malformed value
         */
        public Builder properties(Properties properties) {
            Map<String, String> hub = new LinkedHashMap<>();
            Map<String, String> queue = new LinkedHashMap<>();
            Map<String, String> cluster = new LinkedHashMap<>();
            Map<String, Map<String, String>> perTransport = new LinkedHashMap<>();
            List<String> names = Settings.of("tok", Map.of("t", properties.getProperty("tok.transports", ""))).list("t");
            names.forEach(n -> perTransport.put(n, new LinkedHashMap<>()));
            for (String key : properties.stringPropertyNames()) {
                String value = properties.getProperty(key);
                if (!key.startsWith("tok.") || key.equals("tok.transports") || key.equals("tok.queue")
                        || key.equals("tok.cluster")) {
                    continue;
                }
                if (key.startsWith("tok.hub.")) {
                    hub.put(key.substring("tok.hub.".length()), value);
                } else if (key.startsWith("tok.queue.")) {
                    queue.put(key.substring("tok.queue.".length()), value);
                } else if (key.startsWith("tok.cluster.")) {
                    cluster.put(key.substring("tok.cluster.".length()), value);
                } else if (key.startsWith("tok.transport.")) {
                    String rest = key.substring("tok.transport.".length());
                    int dot = rest.indexOf('.');
                    Map<String, String> target = dot < 0 ? null : perTransport.get(rest.substring(0, dot));
                    if (target == null) {
                        String named = dot < 0 ? rest : rest.substring(0, dot);
                        throw new ConfigurationException("property '" + key + "' names a transport that is not in "
                                + "tok.transports " + names + Suggestions.didYouMean(named, names)
                                + "; add it there or remove the property");
                    }
                    target.put(rest.substring(dot + 1), value);
                } else {
                    int second = key.indexOf('.', "tok.".length());
                    String head = second < 0 ? key : key.substring(0, second);
                    throw new ConfigurationException("unknown property '" + key + "'"
                            + Suggestions.didYouMean(head, List.of("tok.hub", "tok.queue", "tok.cluster", "tok.transports",
                                    "tok.transport"))
                            + "; tok reads tok.hub.*, tok.queue, "
                            + "tok.queue.*, tok.cluster, tok.cluster.*, tok.transports and tok.transport.<name>.*");
                }
            }
            if (!hub.isEmpty()) {
                config = config.toBuilder().settings(hub).build();
            }
            String queueName = properties.getProperty("tok.queue");
            if (queueName != null && !queueName.isBlank()) {
                queue(queueName.trim(), queue);
            } else if (!queue.isEmpty()) {
                throw new ConfigurationException("tok.queue.* settings given without tok.queue naming the queue");
            }
            String allow = cluster.remove("allow-node-local-queue");
            if (allow != null) {
                if (!allow.trim().equals("true") && !allow.trim().equals("false")) {
                    throw new ConfigurationException("property tok.cluster.allow-node-local-queue must be true or false, was '"
                            + allow + "'");
                }
                allowNodeLocalQueue = allow.trim().equals("true");
            }
            String clusterName = properties.getProperty("tok.cluster");
            if (clusterName != null && !clusterName.isBlank()) {
                cluster(clusterName.trim(), cluster);
            } else if (!cluster.isEmpty()) {
                throw new ConfigurationException("tok.cluster.* settings given without tok.cluster naming the cluster");
            }
            perTransport.forEach(this::transport);
            return this;
        }

        /**
         * Sets how long each transport may take to start (default 30s).
         *
         * @param timeout how long each transport may take to start (default 30s)
         * @return this builder
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "startTimeout");
            return this;
        }

        /**
         * Sets how long each transport may take to stop (default 10s).
         *
         * @param timeout how long each transport may take to stop (default 10s)
         * @return this builder
         */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout, "stopTimeout");
            return this;
        }

        /**
         * Validates the assembly: the authenticator, every provider name and every setting key,
         * and that a hub implementation ({@code dev.tok:tok-core}) is on the class or module path.
         * Nothing is opened or bound until {@link TokServer#start()}.
         *
         * @return the unstarted server
         * @throws ConfigurationException naming what to change: also a cluster with a queue the
         *         nodes do not share (see {@link #allowNodeLocalQueue()})
         */
        public TokServer build() {
            if (config.authenticator().isEmpty()) {
                throw new ConfigurationException("auth required: set HubConfig.builder().authenticator(request -> ...) "
                        + "so that connections can be authenticated");
            }
            if (transports.isEmpty()) {
                throw new ConfigurationException("no transport: add one with transport(\"tcp\", Map.of(\"port\", \"9000\")) "
                        + "or the property tok.transports");
            }
            if (queueName != null) {
                Settings.of("queue '" + queueName + "'", queueSettings).requireKnown(Providers.queue(queueName).settingNames());
            }
            if (clusterName != null) {
                Settings.of("cluster '" + clusterName + "'", clusterSettings)
                        .requireKnown(Providers.cluster(clusterName).settingNames());
                String local = queueName != null ? (Providers.queue(queueName).sharedByNodes() ? null : queueName)
                        : config.queue().isPresent() ? config.queue().get().getClass().getSimpleName()
                        : config.noQueue() ? null : "memory";
                if (local != null && !allowNodeLocalQueue) {
                    throw new ConfigurationException("cluster '" + clusterName + "' with queue '" + local + "', which each node "
                            + "keeps for itself: a message queued for an offline user would wait on the node that queued it "
                            + "and be lost to the user's logins on the other nodes. Use a queue shared by the nodes "
                            + "(queue(\"redis\", Map.of(\"uri\", ..)), property tok.queue=redis), or allowNodeLocalQueue() "
                            + "(tok.cluster.allow-node-local-queue=true) when every user stays on one node");
                }
            }
            List<Transport> created = new ArrayList<>();
            for (Supplier<Transport> transport : transports) {
                created.add(transport.get());
            }
            // last, so that mistakes in the assembly are reported first; before start() opens a queue
            HubProvider hubProvider = Providers.hubProvider();
            return new TokServer(this, hubProvider, created);
        }
    }
}
