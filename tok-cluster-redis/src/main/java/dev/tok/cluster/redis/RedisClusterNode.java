package dev.tok.cluster.redis;

import dev.tok.api.ConfigurationException;
import dev.tok.api.TokException;
import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterConnection;
import dev.tok.api.spi.ClusterListener;
import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code redis} {@link Cluster}: one Lettuce connection for commands (pipelined, shared by
 * every caller) and one for pub/sub, per node.
 *
 * <p>Keys (standalone Redis; see the README for Redis Cluster): {@code <prefix>nodes} (SET of
 * node ids), {@code <prefix>node:<id>} (the lease: a token with a TTL of {@code lease}, renewed
 * every {@code heartbeat}), {@code <prefix>node:<id>:users} (SET of the uids with a connection on
 * the node), per user with the uid as hash tag {@code <prefix>{<uid>}:conns} (HASH
 * {@code <node>|<connection>} → {@code <epoch>|<scope>|<device>}, scope and device escaped) and
 * {@code <prefix>{<uid>}:epoch} (the login counter). Channel {@code <prefix>node:<id>:inbox}
 * carries the {@link Message}s for a node; channel {@code <prefix>presence} the presence events
 * every node listens to ({@code C<node>\n<uid>}: a registration or unregistration of the user took
 * effect; {@code U<node>}: the node registered everything again, forget what was cached).
 *
 * <p>Registration, unregistration and the sweep of a lapsed node are Lua scripts (atomic).
 * Routing uses pub/sub, not streams: a request is only worth something while its sender waits
 * (the route timeout), so a message for a dead node should vanish rather than be kept; a publish
 * that reaches no subscriber fails the request at once.
 */
final class RedisClusterNode implements Cluster {

    private static final System.Logger LOG = System.getLogger(RedisClusterNode.class.getName());
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final Script REGISTER = Script.load("register.lua");
    private static final Script UNREGISTER = Script.load("unregister.lua");
    private static final Script SWEEP = Script.load("sweep.lua");
    private static final String MODE_PLAIN = "0";
    private static final String MODE_REPLACING = "1";
    private static final String MODE_AGAIN = "2";
    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final RedisClusterSettings settings;
    private final String self;
    /** The channel of presence events, shared by every node. */
    private final String presenceChannel;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> redis;
    private final StatefulRedisPubSubConnection<String, byte[]> pubsub;
    private final ScheduledExecutorService heartbeats;
    private final byte[] token = bytes(UUID.randomUUID().toString());
    private final Map<Long, CompletableFuture<Message>> pending = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
    /** This node's registered connections by connection id: what it registers again after a lapse. */
    private final Map<String, Local> local = new ConcurrentHashMap<>();
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    private volatile Set<String> live;
    private volatile ClusterListener listener;
    private volatile boolean heartbeatPaused;

    /** A connection of this node as registered: what a new registration needs. */
    private record Local(String uid, String deviceId, String scope) {
    }

    private RedisClusterNode(RedisClusterSettings settings, ClientResources resources, RedisClient client,
            StatefulRedisConnection<String, byte[]> connection, StatefulRedisPubSubConnection<String, byte[]> pubsub) {
        this.settings = settings;
        this.self = settings.nodeId();
        this.presenceChannel = settings.keyPrefix() + "presence";
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.redis = connection.async();
        this.pubsub = pubsub;
        this.live = Set.of(self);
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tok-cluster-heartbeat-" + self);
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects both connections, checks for Redis 7 and loads the scripts. */
    static RedisClusterNode open(RedisClusterSettings settings) {
        RedisURI uri;
        try {
            uri = RedisURI.create(settings.uri());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("setting 'uri' for cluster 'redis' is not a Redis uri (" + settings.displayUri() + "): "
                    + e.getMessage() + "; expected redis://host:port/db or rediss://host:port/db");
        }
        uri.setTimeout(settings.commandTimeout());
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // fail fast while disconnected: nothing buffers, nothing waits for a reconnect
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(settings.requestQueueSize())
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build())
                .build());
        StatefulRedisConnection<String, byte[]> connection = null;
        StatefulRedisPubSubConnection<String, byte[]> pubsub = null;
        try {
            connection = client.connect(CODEC);
            pubsub = client.connectPubSub(CODEC);
            String info = connection.sync().info("server");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("redis_version:(\\d+)\\.").matcher(info);
            if (!m.find() || Integer.parseInt(m.group(1)) < 7) {
                throw new TokException("the redis cluster needs Redis 7.0 or newer; " + settings.displayUri() + " is not");
            }
            for (Script s : List.of(REGISTER, UNREGISTER, SWEEP)) {
                connection.sync().scriptLoad(s.text());
            }
        } catch (RuntimeException e) {
            if (pubsub != null) {
                pubsub.close();
            }
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            if (e instanceof TokException) {
                throw e;
            }
            throw new TokException("the redis cluster could not connect to " + settings.displayUri() + " (connect-timeout "
                    + settings.connectTimeout().toMillis() + "ms): " + describe(e) + "; is Redis running there and reachable?", e);
        }
        LOG.log(Level.DEBUG, () -> "redis cluster node " + settings.nodeId() + " connected to " + settings.displayUri());
        return new RedisClusterNode(settings, resources, client, connection, pubsub);
    }

    @Override
    public String nodeId() {
        return self;
    }

    @Override
    public CompletionStage<Void> start(ClusterListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("cluster node " + self + " was already started" + (state.get() == CLOSED ? " and closed" : ""));
        }
        this.listener = listener;
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, byte[] message) {
                if (channel.equals(presenceChannel)) {
                    onPresence(message);
                } else {
                    onMessage(message);
                }
            }
        });
        client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
                // connected again after a loss: presence events published meanwhile were missed
                presenceUnknown();
            }
        });
        return guard("subscribe to " + inbox(self), pubsub.async().subscribe(inbox(self), presenceChannel))
                .thenCompose(v -> guard("take the lease of node " + self,
                        redis.set(leaseKey(self), token, SetArgs.Builder.nx().px(settings.lease().toMillis()))))
                .thenCompose(ok -> {
                    if (!"OK".equals(ok)) {
                        return CompletableFuture.failedFuture(new TokException("node id '" + self + "' is held by a live node on "
                                + settings.displayUri() + ": give each node its own node-id (or none, for a generated one); "
                                + "after a crash, the old lease lapses within " + settings.lease().toMillis() + "ms"));
                    }
                    return guard("add node " + self + " to " + nodesKey(), redis.sadd(nodesKey(), bytes(self)));
                })
                .thenCompose(added -> refreshNodes())
                .thenRun(() -> heartbeats.scheduleWithFixedDelay(this::heartbeat, settings.heartbeat().toMillis(),
                        settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletionStage<Set<String>> nodes() {
        requireStarted();
        return refreshNodes();
    }

    @Override
    public CompletionStage<Registration> register(String uid, String deviceId, String connectionId) {
        return register(uid, deviceId, connectionId, "", false);
    }

    @Override
    public CompletionStage<Registration> registerReplacing(String uid, String deviceId, String connectionId, String scope) {
        Objects.requireNonNull(scope, "scope");
        if (scope.isEmpty()) {
            throw new IllegalArgumentException("scope is empty: give single sign-on a scope, such as \"*\" for one per user");
        }
        return register(uid, deviceId, connectionId, scope, true);
    }

    private CompletionStage<Registration> register(String uid, String deviceId, String connectionId, String scope, boolean replacing) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(connectionId, "connectionId");
        requireStarted();
        Local entry = new Local(uid, deviceId, scope);
        local.put(connectionId, entry);
        return runRegister(uid, connectionId, entry, replacing ? MODE_REPLACING : MODE_PLAIN).handle((list, e) -> {
            if (e != null) {
                local.remove(connectionId, entry);
                throw new CompletionException(e);
            }
            long epoch = (Long) list.get(0);
            List<ClusterConnection> replaced = new ArrayList<>();
            Map<String, List<String>> byNode = new LinkedHashMap<>();
            for (int i = 1; i + 1 < list.size(); i += 2) {
                ClusterConnection c = parse(uid, string(list.get(i)), string(list.get(i + 1)));
                replaced.add(c);
                byNode.computeIfAbsent(c.nodeId(), n -> new ArrayList<>()).add(c.connectionId());
            }
            byNode.forEach((node, ids) -> publish(node, Message.takeover(self, uid, epoch, ids)));
            announce(uid);
            return new Registration(epoch, replaced);
        });
    }

    /** @param mode {@link #MODE_PLAIN}, {@link #MODE_REPLACING} or {@link #MODE_AGAIN} (see register.lua) */
    private CompletableFuture<List<Object>> runRegister(String uid, String connectionId, Local entry, String mode) {
        return this.<List<Object>>eval("register a connection of '" + uid + "'", REGISTER, ScriptOutputType.MULTI,
                new String[] {connsKey(uid), epochKey(uid), usersKey(self)},
                bytes(self), bytes(connectionId), bytes(escape(entry.deviceId())), bytes(escape(entry.scope())), bytes(uid),
                bytes(mode), bytes(settings.keyPrefix()));
    }

    @Override
    public CompletionStage<Void> unregister(String uid, String connectionId) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(connectionId, "connectionId");
        requireStarted();
        local.remove(connectionId);
        return runUnregister(uid, connectionId).thenApply(removed -> {
            if (removed > 0) {
                announce(uid);
            }
            return null;
        });
    }

    private CompletableFuture<Long> runUnregister(String uid, String connectionId) {
        return this.<Long>eval("unregister a connection of '" + uid + "'", UNREGISTER, ScriptOutputType.INTEGER,
                new String[] {connsKey(uid), usersKey(self)}, bytes(self), bytes(connectionId), bytes(uid));
    }

    @Override
    public CompletionStage<List<ClusterConnection>> connections(String uid) {
        Objects.requireNonNull(uid, "uid");
        requireStarted();
        return guard("read the connections of '" + uid + "'", redis.hgetall(connsKey(uid))).thenCompose(map -> {
            List<ClusterConnection> all = new ArrayList<>(map.size());
            map.forEach((field, value) -> all.add(parse(uid, field, string(value))));
            return liveAmong(all).thenApply(nodes -> {
                all.removeIf(c -> !nodes.contains(c.nodeId()));
                return all;
            });
        });
    }

    /**
     * @return the nodes of these connections that are live: those of the last heartbeat's live set
     *         (a node that died since counts until the next heartbeat sweeps it, well within the
     *         lease), and those it did not know yet (started since) whose lease exists now
     */
    private CompletableFuture<Set<String>> liveAmong(List<ClusterConnection> connections) {
        Set<String> known = live;
        Map<String, CompletableFuture<Long>> unknown = new LinkedHashMap<>();
        for (ClusterConnection c : connections) {
            if (!known.contains(c.nodeId()) && !unknown.containsKey(c.nodeId())) {
                unknown.put(c.nodeId(), guard("read the lease of node " + c.nodeId(), redis.exists(leaseKey(c.nodeId()))));
            }
        }
        if (unknown.isEmpty()) {
            return CompletableFuture.completedFuture(known);
        }
        return CompletableFuture.allOf(unknown.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Set<String> nodes = new HashSet<>(known);
            unknown.forEach((node, exists) -> {
                if (exists.join() > 0) {
                    nodes.add(node);
                }
            });
            return nodes;
        });
    }

    @Override
    public CompletionStage<Boolean> isOnline(String uid) {
        return connections(uid).thenApply(list -> !list.isEmpty());
    }

    @Override
    public CompletionStage<Set<String>> online() {
        requireStarted();
        return refreshNodes().thenCompose(nodes -> {
            List<CompletableFuture<Set<byte[]>>> reads = new ArrayList<>();
            for (String node : nodes) {
                reads.add(guard("read the users of node " + node, redis.smembers(usersKey(node))));
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> {
                Set<String> uids = new HashSet<>();
                for (CompletableFuture<Set<byte[]>> r : reads) {
                    for (byte[] uid : r.join()) {
                        uids.add(string(uid));
                    }
                }
                return uids;
            });
        });
    }

    @Override
    public CompletionStage<List<RemoteWrite>> route(ClusterSend send, Collection<ClusterConnection> targets) {
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(targets, "targets");
        requireStarted();
        Map<String, List<ClusterConnection>> byNode = new LinkedHashMap<>();
        for (ClusterConnection c : targets) {
            if (!c.nodeId().equals(self) && c.uid().equals(send.uid()) && send.deviceId().map(c.deviceId()::equals).orElse(true)) {
                byNode.computeIfAbsent(c.nodeId(), n -> new ArrayList<>(2)).add(c);
            }
        }
        if (byNode.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        // published here, in the caller's thread: one connection keeps the calls' order per node
        List<CompletableFuture<List<RemoteWrite>>> parts = new ArrayList<>(byNode.size());
        byNode.forEach((node, expected) -> {
            long id = correlations.incrementAndGet();
            Message request = Message.send(id, self, send.uid(), send.deviceId().orElse(null), send.payload(), send.logId());
            parts.add(request(node, id, request).handle((reply, e) -> outcomes(node, expected, reply, e)));
        });
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<RemoteWrite> out = new ArrayList<>();
            parts.forEach(p -> out.addAll(p.join()));
            return out;
        });
    }

    private List<RemoteWrite> outcomes(String node, List<ClusterConnection> expected, Message reply, Throwable failure) {
        List<RemoteWrite> out = new ArrayList<>();
        if (failure != null) {
            LOG.log(Level.DEBUG, () -> "node " + node + " did not answer a routed send: " + describe(failure));
            expected.forEach(c -> out.add(new RemoteWrite(node, c.connectionId(), RemoteWrite.Status.NO_ANSWER)));
            return out;
        }
        Map<String, RemoteWrite.Status> statuses = new LinkedHashMap<>(reply.statuses());
        for (ClusterConnection c : expected) {
            RemoteWrite.Status s = statuses.remove(c.connectionId());
            out.add(new RemoteWrite(node, c.connectionId(), s == null ? RemoteWrite.Status.FAILED : s));
        }
        // connections the node registered after the lookup, which it wrote as well
        statuses.forEach((connection, s) -> out.add(new RemoteWrite(node, connection, s)));
        return out;
    }

    @Override
    public CompletionStage<Integer> kick(String uid) {
        Objects.requireNonNull(uid, "uid");
        return connections(uid).thenCompose(all -> {
            Set<String> nodes = new HashSet<>();
            all.forEach(c -> nodes.add(c.nodeId()));
            nodes.remove(self);
            List<CompletableFuture<Integer>> parts = new ArrayList<>();
            for (String node : nodes) {
                long id = correlations.incrementAndGet();
                parts.add(request(node, id, Message.kick(id, self, uid))
                        .handle((reply, e) -> e == null ? (int) reply.count() : 0));
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                    .thenApply(v -> parts.stream().mapToInt(CompletableFuture::join).sum());
        });
    }

    /** Publishes a request to a node's inbox; completes with its reply, or fails when nobody listens or within route-timeout. */
    private CompletableFuture<Message> request(String node, long id, Message request) {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        pending.put(id, reply);
        reply.orTimeout(settings.routeTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((m, e) -> pending.remove(id));
        redis.publish(inbox(node), request.encode()).whenComplete((receivers, e) -> {
            if (e != null) {
                reply.completeExceptionally(failure("route to node " + node, e));
            } else if (receivers == 0) {
                reply.completeExceptionally(new TokException("node " + node + " is not listening on " + inbox(node)));
            }
        });
        return reply;
    }

    private void publish(String node, Message message) {
        redis.publish(inbox(node), message.encode()).whenComplete((n, e) -> {
            if (e != null) {
                LOG.log(Level.WARNING, () -> "node " + self + " could not tell node " + node + " (" + message.type() + " of '"
                        + message.uid() + "'): " + describe(e));
            }
        });
    }

    /** Tells the other nodes that the user's presence changed (best effort: a lost event lapses with their caches' reset). */
    private void announce(String uid) {
        redis.publish(presenceChannel, bytes("C" + self + "\n" + uid)).whenComplete((n, e) -> {
            if (e != null) {
                LOG.log(Level.DEBUG, () -> "node " + self + " could not announce a presence change of '" + uid + "': " + describe(e));
            }
        });
    }

    /** Tells the other nodes to forget what they cached about presence (after this node registered everything again). */
    private void announceUnknown() {
        redis.publish(presenceChannel, bytes("U" + self)).whenComplete((n, e) -> {
            if (e != null) {
                LOG.log(Level.DEBUG, () -> "node " + self + " could not announce its presence again: " + describe(e));
            }
        });
    }

    /** A presence event of another node; on a Lettuce I/O thread. */
    private void onPresence(byte[] bytes) {
        String m = string(bytes);
        int nl = m.indexOf('\n');
        String from = nl < 0 ? m.substring(1) : m.substring(1, nl);
        ClusterListener l = listener;
        if (l == null || from.equals(self)) {
            return;
        }
        try {
            if (m.startsWith("C") && nl > 0) {
                l.onPresenceChanged(m.substring(nl + 1));
            } else {
                l.onPresenceUnknown();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "the hub failed a presence event: " + describe(e));
        }
    }

    /** Presence events may have been missed: tells this node's listener. */
    private void presenceUnknown() {
        ClusterListener l = listener;
        if (l != null && state.get() == STARTED) {
            try {
                l.onPresenceUnknown();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "the hub failed a presence reset: " + describe(e));
            }
        }
    }

    /** A message on this node's inbox; on a Lettuce I/O thread. */
    private void onMessage(byte[] bytes) {
        Message m;
        try {
            m = Message.decode(bytes);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, () -> "node " + self + " dropped a malformed message on " + inbox(self) + ": " + e.getMessage());
            return;
        }
        ClusterListener l = listener;
        switch (m.type()) {
            case SEND -> {
                ClusterSend send = m.count() > 0 ? ClusterSend.logAppended(m.uid(), m.count())
                        : m.deviceId() == null ? ClusterSend.toUser(m.uid(), m.payload())
                        : ClusterSend.toDevice(m.uid(), m.deviceId(), m.payload());
                call(() -> l.onSend(send)).whenComplete((statuses, e) -> {
                    if (e != null) {
                        LOG.log(Level.WARNING, () -> "the hub failed a routed send to '" + m.uid() + "': " + describe(e));
                    }
                    publish(m.from(), Message.sendReply(m.correlation(), self, e == null ? statuses : Map.of()));
                });
            }
            case KICK -> call(() -> l.onKick(m.uid())).whenComplete((n, e) -> {
                if (e != null) {
                    LOG.log(Level.WARNING, () -> "the hub failed a kick of '" + m.uid() + "': " + describe(e));
                }
                publish(m.from(), Message.kickReply(m.correlation(), self, e == null ? n : 0));
            });
            case SEND_REPLY, KICK_REPLY -> {
                CompletableFuture<Message> waiting = pending.get(m.correlation());
                if (waiting != null) {
                    waiting.complete(m);
                }
            }
            case TAKEOVER -> {
                m.connections().forEach(local::remove);
                try {
                    l.onTakeover(m.uid(), Set.copyOf(m.connections()), m.count(), m.from());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, () -> "the hub failed a takeover of '" + m.uid() + "': " + describe(e));
                }
            }
            default -> throw new IllegalStateException(m.type().toString());
        }
    }

    private static <T> CompletionStage<T> call(java.util.function.Supplier<CompletionStage<T>> action) {
        try {
            return Objects.requireNonNull(action.get(), "the listener returned null");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Reads the registry, sweeps the nodes whose lease lapsed, and updates the live set. */
    private CompletableFuture<Set<String>> refreshNodes() {
        return guard("read " + nodesKey(), redis.smembers(nodesKey())).thenCompose(members -> {
            Map<String, CompletableFuture<Long>> leases = new LinkedHashMap<>();
            for (byte[] member : members) {
                String node = string(member);
                if (!node.equals(self)) {
                    leases.put(node, guard("read the lease of node " + node, redis.exists(leaseKey(node))));
                }
            }
            return CompletableFuture.allOf(leases.values().toArray(CompletableFuture[]::new)).thenCompose(v -> {
                Set<String> alive = new HashSet<>();
                alive.add(self);
                List<CompletableFuture<Long>> sweeps = new ArrayList<>();
                leases.forEach((node, exists) -> {
                    if (exists.join() > 0) {
                        alive.add(node);
                    } else {
                        sweeps.add(sweep(node, false));
                    }
                });
                Set<String> before = live;
                live = Set.copyOf(alive);
                if (!alive.containsAll(before)) {
                    presenceUnknown(); // a node left: what was cached about its connections is stale
                }
                return CompletableFuture.allOf(sweeps.toArray(CompletableFuture[]::new)).thenApply(x -> live);
            });
        });
    }

    private CompletableFuture<Long> sweep(String node, boolean leaving) {
        return this.<Long>eval("remove the presence of node " + node, SWEEP, ScriptOutputType.INTEGER,
                new String[] {nodesKey(), leaseKey(node), usersKey(node)}, bytes(node), bytes(settings.keyPrefix()),
                bytes(leaving ? "1" : "0")).thenApply(removed -> {
                    if (!leaving && removed >= 0) {
                        LOG.log(Level.INFO, () -> "node " + self + ": the lease of node " + node + " lapsed; removed its " + removed
                                + " connection(s)");
                    }
                    return removed;
                });
    }

    /** On the heartbeat thread: renews the lease, registers again after a lapse, sweeps. */
    private void heartbeat() {
        if (heartbeatPaused) {
            return;
        }
        long timeout = settings.commandTimeout().toMillis() * 4;
        try {
            byte[] previous = guard("renew the lease of node " + self,
                    redis.setGet(leaseKey(self), token, SetArgs.Builder.px(settings.lease().toMillis())))
                    .get(timeout, TimeUnit.MILLISECONDS);
            if (previous == null) {
                rejoin(timeout);
            } else if (!Arrays.equals(previous, token)) {
                LOG.log(Level.ERROR, () -> "node id '" + self + "' is used by another live node on " + settings.displayUri()
                        + ": give each node its own node-id");
            }
            refreshNodes().get(timeout, TimeUnit.MILLISECONDS);
            if (reachable.compareAndSet(false, true)) {
                LOG.log(Level.INFO, () -> "node " + self + " reaches Redis at " + settings.displayUri() + " again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (reachable.compareAndSet(true, false)) {
                LOG.log(Level.WARNING, () -> "node " + self + " cannot renew its lease: " + describe(e)
                        + "; cluster operations fail until Redis is back, local delivery goes on");
            }
        }
    }

    /**
     * The lease had lapsed (Redis restarted empty, or this node lost Redis for longer than the
     * lease, and a survivor removed its presence): register everything again, except connections
     * that a newer login of the same scope replaced meanwhile; those get a takeover.
     */
    private void rejoin(long timeout) throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Local> snapshot = new LinkedHashMap<>(local);
        LOG.log(Level.INFO, () -> "node " + self + " lost its lease (Redis restarted, or was unreachable for longer than the lease): "
                + "registering its " + snapshot.size() + " connection(s) again");
        guard("add node " + self + " to " + nodesKey(), redis.sadd(nodesKey(), bytes(self))).get(timeout, TimeUnit.MILLISECONDS);
        for (Map.Entry<String, Local> e : snapshot.entrySet()) {
            Local l = e.getValue();
            List<Object> result = runRegister(l.uid(), e.getKey(), l, MODE_AGAIN).get(timeout, TimeUnit.MILLISECONDS);
            if ((Long) result.get(0) == 0) {
                // a newer login of the same scope took place while this node was gone: this connection lost
                ClusterConnection winner = parse(l.uid(), string(result.get(1)), string(result.get(2)));
                publish(self, Message.takeover(winner.nodeId(), l.uid(), winner.epoch(), List.of(e.getKey())));
            } else if (local.get(e.getKey()) != l) {
                // unregistered (or replaced) meanwhile: do not leave it behind
                runUnregister(l.uid(), e.getKey()).get(timeout, TimeUnit.MILLISECONDS);
            }
        }
        announceUnknown();
    }

    @Override
    public void close() {
        int was = state.getAndSet(CLOSED);
        if (was == CLOSED) {
            return;
        }
        heartbeats.shutdownNow();
        if (was == STARTED) {
            try {
                long timeout = settings.commandTimeout().toMillis();
                guard("delete the lease of node " + self, redis.del(leaseKey(self))).get(timeout, TimeUnit.MILLISECONDS);
                sweep(self, true).get(timeout, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.log(Level.WARNING, () -> "node " + self + " left without removing its presence (it lapses with its lease of "
                        + settings.lease().toMillis() + "ms): " + describe(e));
            }
        }
        disconnect();
    }

    /** Test hook: while paused, heartbeats do nothing (as when the node cannot reach Redis). */
    void pauseHeartbeat(boolean paused) {
        heartbeatPaused = paused;
    }

    /** Test hook: ends the node as kill -9 would, leaving its lease and presence to lapse. */
    void abort() {
        state.set(CLOSED);
        heartbeats.shutdownNow();
        disconnect();
    }

    private void disconnect() {
        TokException closed = new TokException("cluster node " + self + " is closed");
        pending.values().forEach(f -> f.completeExceptionally(closed));
        pubsub.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private void requireStarted() {
        int s = state.get();
        if (s != STARTED) {
            throw new IllegalStateException("cluster node " + self + (s == NEW ? " is not started" : " is closed"));
        }
    }

    private <T> CompletableFuture<T> eval(String what, Script script, ScriptOutputType type, String[] keys, byte[]... args) {
        CompletableFuture<T> out = new CompletableFuture<>();
        redis.<T>evalsha(script.sha(), type, keys, args).whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
            } else if (unwrap(e) instanceof RedisNoScriptException) {
                // Redis restarted or flushed its scripts: EVAL caches it again
                redis.<T>eval(script.text(), type, keys, args).whenComplete((v2, e2) -> {
                    if (e2 == null) {
                        out.complete(v2);
                    } else {
                        out.completeExceptionally(failure(what, e2));
                    }
                });
            } else {
                out.completeExceptionally(failure(what, e));
            }
        });
        return out;
    }

    /** @return a future that completes as {@code stage} does, failing with a {@link TokException} that says what failed */
    private <T> CompletableFuture<T> guard(String what, CompletionStage<T> stage) {
        CompletableFuture<T> out = new CompletableFuture<>();
        stage.whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
            } else {
                out.completeExceptionally(failure(what, e));
            }
        });
        return out;
    }

    private TokException failure(String what, Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof TokException t) {
            return t;
        }
        return new TokException("cluster node " + self + " could not " + what + " on Redis at " + settings.displayUri() + ": "
                + (cause instanceof RedisCommandTimeoutException ? "no answer within command-timeout "
                        + settings.commandTimeout().toMillis() + "ms" : describe(cause)), cause);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable e) {
        Throwable t = unwrap(e);
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private ClusterConnection parse(String uid, String field, String value) {
        int bar = field.indexOf('|');
        int p1 = value.indexOf('|');
        int p2 = value.indexOf('|', p1 + 1);
        return new ClusterConnection(field.substring(0, bar), field.substring(bar + 1), uid, unescape(value.substring(p2 + 1)),
                Long.parseLong(value.substring(0, p1)));
    }

    /** Escapes {@code %} and {@code |} so that values split at {@code |}. */
    static String escape(String s) {
        return s.replace("%", "%25").replace("|", "%7C");
    }

    static String unescape(String s) {
        return s.replace("%7C", "|").replace("%25", "%");
    }

    private String nodesKey() {
        return settings.keyPrefix() + "nodes";
    }

    private String leaseKey(String node) {
        return settings.keyPrefix() + "node:" + node;
    }

    private String usersKey(String node) {
        return settings.keyPrefix() + "node:" + node + ":users";
    }

    private String inbox(String node) {
        return settings.keyPrefix() + "node:" + node + ":inbox";
    }

    private String connsKey(String uid) {
        return settings.keyPrefix() + "{" + uid + "}:conns";
    }

    private String epochKey(String uid) {
        return settings.keyPrefix() + "{" + uid + "}:epoch";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    @Override
    public String toString() {
        return "RedisClusterNode[" + self + " on " + settings.displayUri() + "]";
    }

    /** A Lua script of this package and its SHA-1. */
    private record Script(String text, String sha) {
        static Script load(String name) {
            try (InputStream in = RedisClusterNode.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + name);
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                StringBuilder hex = new StringBuilder();
                for (byte b : MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8))) {
                    hex.append(String.format("%02x", b));
                }
                return new Script(text, hex.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
