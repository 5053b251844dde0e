package dev.tok.cluster.redis;

import dev.tok.api.ConfigurationException;
import dev.tok.api.TokException;
import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterConnection;
import dev.tok.api.spi.ClusterListener;
import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
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
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
 * every caller; with {@code cluster=true} Lettuce's cluster connection, one connection per Redis
 * master) and one for pub/sub, per node.
 *
 * <p>Keys (see the README's data layout): the registry {@code <prefix>nodes} (HASH node id →
 * incarnation); per node, with the node id as hash tag, the lease {@code <prefix>node:{<id>}} (the
 * incarnation's token with a TTL of {@code lease}, renewed every {@code heartbeat}) and
 * {@code <prefix>node:{<id>}:users} (SET: a superset of the uids with a connection of the node's
 * incarnation); per user, with the uid as hash tag, {@code <prefix>{<uid>}:conns} (HASH
 * {@code <node>|<connection>} → {@code <epoch>|<scope>|<incarnation>|<device>}, scope and device
 * escaped) and {@code <prefix>{<uid>}:epoch} (the registration counter, expiring {@code epoch-ttl}
 * after the last registration).
 *
 * <p><b>One slot per script.</b> Every Lua script touches only keys it declares, all of one hash
 * tag: one user's ({@code register}, {@code purge}), one node's ({@code lease}, {@code sweep}) or
 * the registry ({@code forget}); so they run unchanged on Redis Cluster. What spans several slots is
 * done in steps from Java, and made safe by two rules:
 * <ul>
 *   <li>a node's user set is a <em>superset</em>: a node adds the uid ({@code SADD}) before the
 *       registration script runs, and removes it ({@code SREM}) only after its last connection of
 *       the user was deleted; adds and removes of one uid are decided and sent in one critical
 *       section ({@link #present}) and reach Redis in that order (one key, one connection);</li>
 *   <li>a presence entry counts only while its node's lease holds the entry's <em>incarnation</em>:
 *       every lease taken (a start, or again after a lapse) has a new random token, written into
 *       each entry the incarnation registers. So a sweep that removes a lapsed incarnation's entries
 *       user by user can never remove those of the node's next incarnation, and entries a sweep
 *       missed (a sweeper died mid-way) count for nothing.</li>
 * </ul>
 *
 * <p><b>Pub/sub.</b> Requests and replies go to the node's inbox by sharded pub/sub
 * ({@code SPUBLISH}/{@code SSUBSCRIBE}, Redis 7): on a Redis Cluster a classic {@code PUBLISH}
 * returns only the subscribers of the Redis node that received it, so "nobody listens" (a dead
 * node: fail at once instead of after the route timeout) could not be told; a sharded publish goes to
 * the one shard that owns the channel, whose count is exact, and is not broadcast to every Redis
 * node. The presence channel {@code <prefix>presence}, which every node listens to, stays classic:
 * its count is not needed. Routing uses pub/sub, not streams: a request is only worth something
 * while its sender waits (the route timeout), so a message for a dead node should vanish rather
 * than be kept.
 */
final class RedisClusterNode implements Cluster {

    private static final System.Logger LOG = System.getLogger(RedisClusterNode.class.getName());
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final Script REGISTER = Script.load("register.lua");
    private static final Script PURGE = Script.load("purge.lua");
    private static final Script LEASE = Script.load("lease.lua");
    private static final Script SWEEP = Script.load("sweep.lua");
    private static final Script FORGET = Script.load("forget.lua");
    private static final String MODE_PLAIN = "0";
    private static final String MODE_REPLACING = "1";
    private static final String MODE_AGAIN = "2";
    private static final long LEASE_RENEWED = 1;
    private static final long LEASE_HELD = 2;
    /** How often the cluster client re-reads the topology, besides its adaptive refreshes (as in tok-queue-redis). */
    static final Duration TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(30);
    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final RedisClusterSettings settings;
    private final String self;
    /** The channel of presence events, shared by every node. */
    private final String presenceChannel;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final StatefulRedisPubSubConnection<String, byte[]> pubsub;
    private final ScheduledExecutorService heartbeats;
    private final Map<Long, CompletableFuture<Message>> pending = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
    /** This node's registered connections by connection id: what it registers again after a lapse. */
    private final Map<String, Local> local = new ConcurrentHashMap<>();
    /**
     * Per uid, this node's connections that may have a presence entry (registering, registered,
     * or being unregistered): the uid is in the node's user set while this is not empty. Changed
     * only inside {@code compute}, which also sends the {@code SADD}/{@code SREM}, so that they
     * reach Redis in the order of the changes. The sets are only touched inside {@code compute}.
     */
    private final ConcurrentHashMap<String, Set<String>> present = new ConcurrentHashMap<>();
    /** Entries of this node whose deletion failed (Redis unreachable), connection id → uid: deleted again at each heartbeat. */
    private final Map<String, String> undeleted = new ConcurrentHashMap<>();
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    /** The live nodes (this one included) with their incarnations, as of the last heartbeat. */
    private volatile Map<String, String> live;
    /** The token of this node's current lease: written into each presence entry it registers. */
    private volatile String incarnation = newToken();
    private volatile ClusterListener listener;
    private volatile boolean heartbeatPaused;
    /** Redis ended the inbox subscription (its slot moved to another master): subscribe again at the next heartbeat. */
    private volatile boolean inboxLost;

    /** A connection of this node as registered: what a new registration needs. */
    private record Local(String uid, String deviceId, String scope) {
    }

    /** A presence entry as stored: the connection and the incarnation of its node that registered it. */
    private record Entry(ClusterConnection connection, String incarnation) {
    }

    private RedisClusterNode(RedisClusterSettings settings, ClientResources resources, AbstractRedisClient client,
            StatefulConnection<String, byte[]> connection, RedisClusterAsyncCommands<String, byte[]> redis,
            StatefulRedisPubSubConnection<String, byte[]> pubsub) {
        this.settings = settings;
        this.self = settings.nodeId();
        this.presenceChannel = settings.keyPrefix() + "presence";
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.redis = redis;
        this.pubsub = pubsub;
        this.live = Map.of();
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tok-cluster-heartbeat-" + self);
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects both connections (standalone or Redis Cluster), checks for Redis 7 and loads the scripts. */
    static RedisClusterNode open(RedisClusterSettings settings) {
        List<RedisURI> uris = new ArrayList<>();
        for (String u : settings.uris()) {
            try {
                RedisURI uri = RedisURI.create(u);
                uri.setTimeout(settings.commandTimeout());
                uris.add(uri);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("setting 'uri' for cluster 'redis' is not a Redis uri (" + settings.displayUri()
                        + "): " + e.getMessage() + "; expected redis://host:port/db or rediss://host:port/db");
            }
        }
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        ClientOptions options = ClientOptions.builder()
                .autoReconnect(true)
                // fail fast while disconnected: nothing buffers, nothing waits for a reconnect
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(settings.requestQueueSize())
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build())
                .build();
        AbstractRedisClient client = null;
        StatefulConnection<String, byte[]> connection = null;
        StatefulRedisPubSubConnection<String, byte[]> pubsub = null;
        RedisClusterAsyncCommands<String, byte[]> redis;
        try {
            if (settings.cluster()) {
                RedisClusterClient clusterClient = RedisClusterClient.create(resources, uris);
                client = clusterClient;
                // the topology is refreshed on every adaptive trigger (MOVED/ASK redirects,
                // persistent reconnects, uncovered slots, unknown nodes) and periodically, which
                // also notices a failover that no command ran into yet; the options above (request
                // queue bound, command timeout, fail fast while disconnected) hold per Redis node
                clusterClient.setOptions(ClusterClientOptions.builder(options)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enableAllAdaptiveRefreshTriggers()
                                .enablePeriodicRefresh(TOPOLOGY_REFRESH_PERIOD).build())
                        .build());
                StatefulRedisClusterConnection<String, byte[]> c = clusterClient.connect(CODEC);
                connection = c;
                redis = c.async();
                StatefulRedisClusterPubSubConnection<String, byte[]> p = clusterClient.connectPubSub(CODEC);
                // sharded subscriptions live on the connection to the shard's node: hand their messages to our listener
                p.setNodeMessagePropagation(true);
                pubsub = p;
            } else {
                RedisClient standalone = RedisClient.create(resources, uris.get(0));
                client = standalone;
                standalone.setOptions(options);
                StatefulRedisConnection<String, byte[]> c = standalone.connect(CODEC);
                connection = c;
                redis = c.async();
                pubsub = standalone.connectPubSub(CODEC);
            }
            long wait = settings.connectTimeout().plus(settings.commandTimeout()).toMillis();
            String info = redis.info("server").get(wait, TimeUnit.MILLISECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("redis_version:(\\d+)\\.").matcher(info);
            if (!m.find() || Integer.parseInt(m.group(1)) < 7) {
                throw new TokException("the redis cluster needs Redis 7.0 or newer (sharded pub/sub); " + settings.displayUri()
                        + " is not");
            }
            for (Script s : List.of(REGISTER, PURGE, LEASE, SWEEP, FORGET)) {
                redis.scriptLoad(s.text()).get(wait, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException | ExecutionException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (pubsub != null) {
                pubsub.close();
            }
            if (connection != null) {
                connection.close();
            }
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            if (e instanceof TokException t) {
                throw t;
            }
            throw new TokException("the redis cluster could not connect to " + settings.displayUri() + " (connect-timeout "
                    + settings.connectTimeout().toMillis() + "ms): " + describe(e) + "; is Redis running there and reachable?", e);
        }
        LOG.log(Level.DEBUG, () -> "redis cluster node " + settings.nodeId() + " connected to " + settings.displayUri()
                + (settings.cluster() ? " (Redis Cluster)" : ""));
        return new RedisClusterNode(settings, resources, client, connection, redis, pubsub);
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
                }
            }

            @Override
            public void smessage(String channel, byte[] message) {
                onMessage(message);
            }

            @Override
            public void sunsubscribed(String channel, long count) {
                // this node never unsubscribes: Redis did, because the channel's slot moved (Redis Cluster)
                if (channel.equals(inbox(self)) && state.get() == STARTED) {
                    LOG.log(Level.INFO, () -> "node " + self + ": Redis ended the subscription of " + channel
                            + " (its slot moved); subscribing again");
                    inboxLost = true;
                    heartbeats.execute(RedisClusterNode.this::resubscribeInbox);
                }
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
                // connected again after a loss: presence events published meanwhile were missed
                presenceUnknown();
            }
        });
        String token = incarnation;
        return guard("subscribe to " + presenceChannel, pubsub.async().subscribe(presenceChannel))
                .thenCompose(v -> subscribeSharded(inbox(self)))
                .thenCompose(v -> this.<List<Object>>eval("take the lease of node " + self, LEASE, ScriptOutputType.MULTI,
                        new String[] {leaseKey(self), usersKey(self)}, bytes(""), bytes(Long.toString(settings.lease().toMillis())),
                        bytes(token)))
                .thenCompose(result -> {
                    if ((Long) result.get(0) == LEASE_HELD) {
                        return CompletableFuture.failedFuture(new TokException("node id '" + self + "' is held by a live node on "
                                + settings.displayUri() + ": give each node its own node-id (or none, for a generated one); "
                                + "after a crash, the old lease lapses within " + settings.lease().toMillis() + "ms"));
                    }
                    // a previous instance of this node id left without cleaning up: its entries count for
                    // nothing (another incarnation) and are removed here
                    return joined(token, uids(result));
                })
                .thenCompose(v -> refreshNodes())
                .thenRun(() -> heartbeats.scheduleWithFixedDelay(this::heartbeat, settings.heartbeat().toMillis(),
                        settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Subscribes to a sharded channel. On a Redis Cluster, on the pub/sub connection to the master
     * that owns the channel's slot, opened first: Lettuce opens node connections lazily, and its
     * cluster pub/sub connection sends {@code SSUBSCRIBE} on one that is still connecting, which
     * the fail-fast {@code REJECT_COMMANDS} of this module rejects. That connection subscribes
     * again after a reconnect; its messages reach this node's listener (node message propagation).
     */
    private CompletableFuture<Void> subscribeSharded(String channel) {
        String what = "subscribe to " + channel;
        if (!(pubsub instanceof StatefulRedisClusterPubSubConnection<String, byte[]> p)) {
            return guard(what, pubsub.async().ssubscribe(channel));
        }
        io.lettuce.core.cluster.models.partitions.RedisClusterNode owner = p.getPartitions()
                .getPartitionBySlot(io.lettuce.core.cluster.SlotHash.getSlot(channel));
        if (owner == null) {
            return CompletableFuture.failedFuture(new TokException("cluster node " + self + " could not " + what + ": no node of the "
                    + "Redis Cluster at " + settings.displayUri() + " serves its slot"));
        }
        return guard(what, p.getConnectionAsync(owner.getNodeId()))
                .thenCompose(shard -> guard(what, shard.async().ssubscribe(channel)));
    }

    /** The lease was taken with {@code token}: enter the registry with it and remove the entries of earlier incarnations. */
    private CompletableFuture<Void> joined(String token, List<String> formerUids) {
        return guard("add node " + self + " to " + nodesKey(), redis.hset(nodesKey(), self, bytes(token)))
                .thenCompose(added -> {
                    List<CompletableFuture<Long>> purges = new ArrayList<>();
                    for (String uid : formerUids) {
                        purges.add(purge(uid, self, "~", token));
                    }
                    return CompletableFuture.allOf(purges.toArray(CompletableFuture[]::new));
                });
    }

    private CompletableFuture<Long> purge(String uid, String node, String mode, String inc) {
        return eval("remove the presence of node " + node + " for '" + uid + "'", PURGE, ScriptOutputType.INTEGER,
                new String[] {connsKey(uid)}, bytes(node), bytes(mode), bytes(inc));
    }

    @Override
    public CompletionStage<Set<String>> nodes() {
        requireStarted();
        return refreshNodes().thenApply(Map::keySet);
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

    /**
     * Two steps: the uid joins the node's user set, then the registration script runs on the user's
     * slot. In that order, so that a node dying between them leaves a user set that is a superset
     * (which the sweep tolerates), never an entry the sweep cannot find.
     */
    private CompletionStage<Registration> register(String uid, String deviceId, String connectionId, String scope, boolean replacing) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(connectionId, "connectionId");
        requireStarted();
        Local entry = new Local(uid, deviceId, scope);
        local.put(connectionId, entry);
        String inc = incarnation;
        return addPresent(uid, connectionId)
                .thenCompose(added -> runRegister(uid, connectionId, entry, replacing ? MODE_REPLACING : MODE_PLAIN, inc))
                .handle((list, e) -> {
                    if (e != null) {
                        local.remove(connectionId, entry);
                        // the script may have run (a timeout): delete the entry before leaving the user set
                        redis.hdel(connsKey(uid), field(self, connectionId)).whenComplete((n, e2) -> {
                            if (!local.containsKey(connectionId)) {
                                if (e2 == null) {
                                    dropPresent(uid, List.of(connectionId));
                                } else {
                                    undeleted.put(connectionId, uid);
                                }
                            }
                        });
                        throw new CompletionException(unwrap(e));
                    }
                    long epoch = (Long) list.get(0);
                    List<ClusterConnection> replaced = new ArrayList<>();
                    Map<String, List<String>> byNode = new LinkedHashMap<>();
                    for (int i = 1; i + 1 < list.size(); i += 2) {
                        ClusterConnection c = parse(uid, string(list.get(i)), string(list.get(i + 1))).connection();
                        replaced.add(c);
                        byNode.computeIfAbsent(c.nodeId(), n -> new ArrayList<>()).add(c.connectionId());
                    }
                    byNode.forEach((node, ids) -> publish(node, Message.takeover(self, uid, epoch, ids)));
                    announce(uid);
                    if (!inc.equals(incarnation)) {
                        // the node took a new lease meanwhile: this entry has the old incarnation and does not count
                        registerAgain(connectionId, entry);
                    }
                    return new Registration(epoch, replaced);
                });
    }

    /** @param mode {@link #MODE_PLAIN}, {@link #MODE_REPLACING} or {@link #MODE_AGAIN} (see register.lua) */
    private CompletableFuture<List<Object>> runRegister(String uid, String connectionId, Local entry, String mode, String inc) {
        return this.<List<Object>>eval("register a connection of '" + uid + "'", REGISTER, ScriptOutputType.MULTI,
                new String[] {connsKey(uid), epochKey(uid)},
                bytes(self), bytes(connectionId), bytes(escape(entry.deviceId())), bytes(escape(entry.scope())), bytes(mode),
                bytes(inc), bytes(Long.toString(settings.epochTtl().toMillis())));
    }

    /** Records that the connection may have an entry and adds the uid to the node's user set (sent in the same critical section). */
    private CompletableFuture<Long> addPresent(String uid, String connectionId) {
        List<CompletableFuture<Long>> sent = new ArrayList<>(1);
        present.compute(uid, (u, ids) -> {
            Set<String> out = ids == null ? new HashSet<>() : ids;
            out.add(connectionId);
            sent.add(guard("add '" + uid + "' to the users of node " + self, redis.sadd(usersKey(self), bytes(uid))));
            return out;
        });
        return sent.get(0);
    }

    /** Forgets connections whose entries are gone; the uid leaves the node's user set with the last one. */
    private void dropPresent(String uid, Collection<String> connectionIds) {
        present.computeIfPresent(uid, (u, ids) -> {
            ids.removeAll(connectionIds);
            if (!ids.isEmpty()) {
                return ids;
            }
            redis.srem(usersKey(self), bytes(uid)).whenComplete((n, e) -> {
                if (e != null) {
                    LOG.log(Level.DEBUG, () -> "node " + self + " could not remove '" + uid + "' from its users (left as a superset): "
                            + describe(e));
                }
            });
            return null;
        });
    }

    @Override
    public CompletionStage<Void> unregister(String uid, String connectionId) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(connectionId, "connectionId");
        requireStarted();
        local.remove(connectionId);
        return guard("unregister a connection of '" + uid + "'", redis.hdel(connsKey(uid), field(self, connectionId)))
                .handle((removed, e) -> {
                    if (e != null) {
                        // the entry may still be there: the heartbeat deletes it once Redis answers again
                        undeleted.put(connectionId, uid);
                        throw new CompletionException(unwrap(e));
                    }
                    deleted(uid, connectionId, removed);
                    return null;
                });
    }

    /** After an entry of this node was deleted: leave the user set with the last one, tell the other nodes. */
    private void deleted(String uid, String connectionId, long removed) {
        if (!local.containsKey(connectionId)) {
            dropPresent(uid, List.of(connectionId));
        }
        if (removed > 0) {
            announce(uid);
        }
    }

    /** On the heartbeat thread: deletes again the entries whose unregistration failed. */
    private void deleteAgain(long timeout) throws InterruptedException, ExecutionException, TimeoutException {
        for (Map.Entry<String, String> e : new ArrayList<>(undeleted.entrySet())) {
            String connectionId = e.getKey();
            String uid = e.getValue();
            if (!local.containsKey(connectionId)) {
                long removed = guard("unregister a connection of '" + uid + "'", redis.hdel(connsKey(uid), field(self, connectionId)))
                        .get(timeout, TimeUnit.MILLISECONDS);
                deleted(uid, connectionId, removed);
                LOG.log(Level.DEBUG, () -> "node " + self + " deleted the entry of connection " + connectionId + " of '" + uid
                        + "' after a failed unregistration");
            }
            undeleted.remove(connectionId, uid);
        }
    }

    @Override
    public CompletionStage<List<ClusterConnection>> connections(String uid) {
        Objects.requireNonNull(uid, "uid");
        requireStarted();
        return guard("read the connections of '" + uid + "'", redis.hgetall(connsKey(uid))).thenCompose(map -> {
            List<Entry> all = new ArrayList<>(map.size());
            map.forEach((field, value) -> all.add(parse(uid, field, string(value))));
            return liveAmong(all).thenApply(incarnations -> {
                List<ClusterConnection> out = new ArrayList<>(all.size());
                for (Entry e : all) {
                    if (e.incarnation().equals(incarnations.get(e.connection().nodeId()))) {
                        out.add(e.connection());
                    }
                }
                return out;
            });
        });
    }

    /**
     * @return the current incarnations of these entries' nodes: those of the last heartbeat's live
     *         set (a node that died since counts until the next heartbeat sweeps it, well within the
     *         lease), and, for an entry whose incarnation that set does not hold (a node started or
     *         back since, or an entry left over from an earlier incarnation), the node's lease now
     */
    private CompletableFuture<Map<String, String>> liveAmong(List<Entry> entries) {
        Map<String, String> known = live;
        Map<String, CompletableFuture<byte[]>> unknown = new LinkedHashMap<>();
        for (Entry e : entries) {
            String node = e.connection().nodeId();
            if (!e.incarnation().equals(known.get(node)) && !unknown.containsKey(node)) {
                unknown.put(node, guard("read the lease of node " + node, redis.get(leaseKey(node))));
            }
        }
        if (unknown.isEmpty()) {
            return CompletableFuture.completedFuture(known);
        }
        return CompletableFuture.allOf(unknown.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, String> nodes = new HashMap<>(known);
            unknown.forEach((node, lease) -> {
                byte[] token = lease.join();
                if (token == null) {
                    nodes.remove(node);
                } else {
                    nodes.put(node, string(token));
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
            for (String node : nodes.keySet()) {
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
        redis.spublish(inbox(node), request.encode()).whenComplete((receivers, e) -> {
            if (e != null) {
                reply.completeExceptionally(failure("route to node " + node, e));
            } else if (receivers == 0) {
                reply.completeExceptionally(new TokException("node " + node + " is not listening on " + inbox(node)));
            }
        });
        return reply;
    }

    private void publish(String node, Message message) {
        redis.spublish(inbox(node), message.encode()).whenComplete((n, e) -> {
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
                dropPresent(m.uid(), m.connections());   // their entries are gone
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

    /** Reads the registry and the leases, sweeps the nodes whose lease lapsed, and updates the live set. */
    private CompletableFuture<Map<String, String>> refreshNodes() {
        return guard("read " + nodesKey(), redis.hgetall(nodesKey())).thenCompose(registry -> {
            Map<String, CompletableFuture<byte[]>> leases = new LinkedHashMap<>();
            for (String node : registry.keySet()) {
                if (!node.equals(self)) {
                    leases.put(node, guard("read the lease of node " + node, redis.get(leaseKey(node))));
                }
            }
            return CompletableFuture.allOf(leases.values().toArray(CompletableFuture[]::new)).thenCompose(v -> {
                Map<String, String> alive = new HashMap<>();
                alive.put(self, incarnation);
                List<CompletableFuture<Long>> sweeps = new ArrayList<>();
                leases.forEach((node, lease) -> {
                    byte[] token = lease.join();
                    if (token != null) {
                        alive.put(node, string(token));
                    } else {
                        sweeps.add(sweep(node, string(registry.get(node)), false));
                    }
                });
                Map<String, String> before = live;
                live = Map.copyOf(alive);
                if (!alive.keySet().containsAll(before.keySet())) {
                    presenceUnknown(); // a node left: what was cached about its connections is stale
                }
                return CompletableFuture.allOf(sweeps.toArray(CompletableFuture[]::new)).thenApply(x -> live);
            });
        });
    }

    /**
     * Removes the presence of a node whose lease lapsed (or of this node, leaving: its lease is
     * deleted first if it still holds this incarnation): claims its user set (atomically with
     * checking that the lease is absent), removes its entries of that incarnation user by user,
     * then removes it from the registry unless it came back meanwhile.
     *
     * @return the number of presence entries removed, or -1 when the node's lease is current
     */
    private CompletableFuture<Long> sweep(String node, String inc, boolean leaving) {
        return this.<List<Object>>eval((leaving ? "remove the presence of node " : "sweep node ") + node, SWEEP,
                ScriptOutputType.MULTI, new String[] {leaseKey(node), usersKey(node)}, bytes(leaving ? inc : ""))
                .thenCompose(claimed -> {
                    if ((Long) claimed.get(0) < 0) {
                        return CompletableFuture.completedFuture(-1L);
                    }
                    List<CompletableFuture<Long>> purges = new ArrayList<>();
                    for (String uid : uids(claimed)) {
                        purges.add(purge(uid, node, "=", inc));
                    }
                    return CompletableFuture.allOf(purges.toArray(CompletableFuture[]::new))
                            .thenCompose(v -> this.<Long>eval("remove node " + node + " from " + nodesKey(), FORGET,
                                    ScriptOutputType.INTEGER, new String[] {nodesKey()}, bytes(node), bytes(inc)))
                            .thenApply(forgotten -> {
                                long removed = purges.stream().mapToLong(CompletableFuture::join).sum();
                                if (!leaving) {
                                    LOG.log(Level.INFO, () -> "node " + self + ": the lease of node " + node + " lapsed; removed its "
                                            + removed + " connection(s)");
                                }
                                return removed;
                            });
                });
    }

    /** On the heartbeat thread: subscribes the inbox again on the master that owns its slot now (after a resharding). */
    private void resubscribeInbox() {
        if (!inboxLost || state.get() != STARTED) {
            return;
        }
        try {
            if (client instanceof RedisClusterClient c) {
                c.refreshPartitions();
            }
            subscribeSharded(inbox(self)).get(settings.commandTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            inboxLost = false;
            LOG.log(Level.INFO, () -> "node " + self + " listens on " + inbox(self) + " again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.log(Level.WARNING, () -> "node " + self + " could not subscribe to " + inbox(self) + " again (next try at the next "
                    + "heartbeat): " + describe(e));
        }
    }

    /** On the heartbeat thread: renews the lease, registers again after a lapse, sweeps. */
    private void heartbeat() {
        if (heartbeatPaused) {
            return;
        }
        resubscribeInbox();
        long timeout = settings.commandTimeout().toMillis() * 4;
        try {
            String fresh = newToken();
            List<Object> result = this.<List<Object>>eval("renew the lease of node " + self, LEASE, ScriptOutputType.MULTI,
                    new String[] {leaseKey(self), usersKey(self)}, bytes(incarnation),
                    bytes(Long.toString(settings.lease().toMillis())), bytes(fresh)).get(timeout, TimeUnit.MILLISECONDS);
            long outcome = (Long) result.get(0);
            if (outcome == LEASE_HELD) {
                LOG.log(Level.ERROR, () -> "node id '" + self + "' is used by another live node on " + settings.displayUri()
                        + ": give each node its own node-id");
            } else if (outcome != LEASE_RENEWED) {
                rejoin(fresh, uids(result), timeout);
            } else {
                deleteAgain(timeout);
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
     * lease, and a survivor may have removed its presence) and was taken again with a new token:
     * register everything again under the new incarnation, except connections that a newer login of
     * the same scope replaced meanwhile; those get a takeover.
     */
    private void rejoin(String token, List<String> formerUids, long timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        incarnation = token;
        undeleted.clear();   // entries of the old incarnation: they no longer count, and are purged below
        // what may have an entry of the new incarnation: the connections held now (the rest are old ones)
        for (String uid : List.copyOf(present.keySet())) {
            present.computeIfPresent(uid, (u, ids) -> {
                ids.removeIf(id -> {
                    Local l = local.get(id);
                    return l == null || !l.uid().equals(u);
                });
                return ids.isEmpty() ? null : ids;
            });
        }
        Map<String, Local> snapshot = new LinkedHashMap<>(local);
        LOG.log(Level.INFO, () -> "node " + self + " lost its lease (Redis restarted, or was unreachable for longer than the lease): "
                + "registering its " + snapshot.size() + " connection(s) again");
        joined(token, formerUids).get(timeout, TimeUnit.MILLISECONDS);
        for (Map.Entry<String, Local> e : snapshot.entrySet()) {
            registerAgain(e.getKey(), e.getValue()).get(timeout, TimeUnit.MILLISECONDS);
        }
        announceUnknown();
    }

    /**
     * Registers a held connection again under the current incarnation (mode {@link #MODE_AGAIN}):
     * refused when a newer login of its scope took place meanwhile, and then given a takeover.
     */
    private CompletableFuture<Void> registerAgain(String connectionId, Local l) {
        if (local.get(connectionId) != l) {
            return CompletableFuture.completedFuture(null);
        }
        String inc = incarnation;
        return addPresent(l.uid(), connectionId)
                .thenCompose(added -> runRegister(l.uid(), connectionId, l, MODE_AGAIN, inc))
                .thenCompose(result -> {
                    if ((Long) result.get(0) == 0) {
                        // a newer login of the same scope took place while this node was gone: this connection lost
                        ClusterConnection winner = parse(l.uid(), string(result.get(1)), string(result.get(2))).connection();
                        publish(self, Message.takeover(winner.nodeId(), l.uid(), winner.epoch(), List.of(connectionId)));
                    } else if (local.get(connectionId) != l) {
                        // unregistered (or replaced) meanwhile: do not leave it behind
                        return guard("unregister a connection of '" + l.uid() + "'",
                                redis.hdel(connsKey(l.uid()), field(self, connectionId)))
                                .thenAccept(n -> dropPresent(l.uid(), List.of(connectionId)));
                    }
                    return CompletableFuture.completedFuture(null);
                });
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
                // deletes the lease only if it is this incarnation's (not a live twin's after a failed
                // start); the whole within the command timeout (Cluster.close), else it lapses
                sweep(self, incarnation, true).get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
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

    /** @return the uids after the first element of a script's answer */
    private static List<String> uids(List<Object> result) {
        List<String> out = new ArrayList<>(result.size());
        for (int i = 1; i < result.size(); i++) {
            out.add(string(result.get(i)));
        }
        return out;
    }

    private static Entry parse(String uid, String field, String value) {
        int bar = field.indexOf('|');
        int p1 = value.indexOf('|');
        int p2 = value.indexOf('|', p1 + 1);
        int p3 = value.indexOf('|', p2 + 1);
        return new Entry(new ClusterConnection(field.substring(0, bar), field.substring(bar + 1), uid,
                unescape(value.substring(p3 + 1)), Long.parseLong(value.substring(0, p1))), value.substring(p2 + 1, p3));
    }

    private static String field(String node, String connectionId) {
        return node + "|" + connectionId;
    }

    private static String newToken() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
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
        return settings.keyPrefix() + "node:{" + node + "}";
    }

    private String usersKey(String node) {
        return settings.keyPrefix() + "node:{" + node + "}:users";
    }

    private String inbox(String node) {
        return settings.keyPrefix() + "node:{" + node + "}:inbox";
    }

    private String connsKey(String uid) {
        return settings.keyPrefix() + "{" + hashTag(uid) + "}:conns";
    }

    private String epochKey(String uid) {
        return settings.keyPrefix() + "{" + hashTag(uid) + "}:epoch";
    }

    /**
     * The uid as the hash tag of its keys, as in tok-queue-redis (so a user's queue and presence
     * share a slot): {@code %}, <code>{</code> and <code>}</code> percent-escaped, so that the tag is
     * the whole uid, and the empty uid as {@code %}. An empty or cut tag would hash each key whole,
     * putting one user's two keys in different Redis Cluster slots.
     */
    static String hashTag(String uid) {
        if (uid.isEmpty()) {
            return "%";
        }
        if (uid.indexOf('%') < 0 && uid.indexOf('{') < 0 && uid.indexOf('}') < 0) {
            return uid;
        }
        return uid.replace("%", "%25").replace("{", "%7B").replace("}", "%7D");
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
