package dev.tok.queue.redis;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.api.QueuedMessage;
import dev.tok.api.TokException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
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
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code redis} {@link Queue}: one shared Lettuce connection (thread-safe, pipelined), one Lua
 * script ({@code queue.lua}) that performs each operation on one user's keys atomically, run with
 * {@code EVALSHA} and, when Redis does not have it cached ({@code NOSCRIPT}, after a restart or
 * {@code SCRIPT FLUSH}), with {@code EVAL}, which caches it again.
 *
 * <p>Per user, with the user id as the keys' hash tag (one Redis Cluster slot):
 * {@code <prefix>{<uid>}:meta} (HASH: {@code seq}, the last id given; {@code bytes}, the payload
 * bytes stored), {@code :log} (STREAM, entry id {@code <id>-0}, fields {@code e} = expiry in epoch
 * ms and {@code p} = payload), {@code :exp} (ZSET of entry ids by expiry) and {@code :cursors}
 * (HASH device id → last acknowledged id), {@code :sent} and {@code :sent-at} (the tokens of the
 * enqueues of the last seconds, so a re-sent enqueue is stored once). All share one deadline ({@code PEXPIREAT}): the
 * latest of every stored message's expiry and every device's last activity plus
 * {@code device-retention}, plus {@link #KEY_MARGIN}.
 *
 * <p>Calls block the calling thread for at most {@code command-timeout}; every failure is a
 * {@link TokException} naming the uri (without password) and the cause.
 */
final class RedisQueue implements Queue {

    /** Added to every key deadline: clock skew between the hubs and Redis must stay below it. */
    static final Duration KEY_MARGIN = Duration.ofMinutes(1);

    /** How often the cluster client re-reads the cluster's topology, besides its adaptive refreshes. */
    static final Duration CLUSTER_REFRESH_PERIOD = Duration.ofSeconds(30);

    /** Added to the dedup window of enqueue tokens: clock skew between hubs should stay below it. */
    static final Duration DEDUP_SLACK = Duration.ofSeconds(5);

    /** Expiries are clamped to this (the end of year 9999), which Redis and doubles hold exactly. */
    static final long MAX_EXPIRY_MILLIS = 253_402_300_799_999L;

    private static final System.Logger LOG = System.getLogger(RedisQueue.class.getName());
    private static final byte[] SCRIPT = script();
    private static final String SCRIPT_SHA = sha1Hex(SCRIPT);
    private static final byte[] OP_ENQUEUE = ascii("enqueue");
    private static final byte[] OP_READ = ascii("read");
    private static final byte[] OP_SIZE = ascii("size");
    private static final byte[] OP_ACK = ascii("ack");
    private static final byte[] OP_CURSOR = ascii("cursor");
    private static final byte[] OP_ACK_DEVICE = ascii("ack-device");
    private static final byte[] OLDEST = ascii("-");
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final RedisQueueSettings settings;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterCommands<byte[], byte[]> redis;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong lastFullWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    private RedisQueue(RedisQueueSettings settings, ClientResources resources, AbstractRedisClient client,
            StatefulConnection<byte[], byte[]> connection, RedisClusterCommands<byte[], byte[]> commands) {
        this.settings = settings;
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.redis = commands;
    }

    /**
     * Connects, checks that the server is Redis 7 or newer, loads the script, and warns when Redis
     * may evict keys.
     */
    static RedisQueue open(RedisQueueSettings settings) {
        List<RedisURI> uris = new ArrayList<>();
        for (String u : settings.uris()) {
            try {
                RedisURI uri = RedisURI.create(u);
                uri.setTimeout(settings.commandTimeout());
                uris.add(uri);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("setting 'uri' for queue 'redis' is not a Redis uri (" + settings.displayUri()
                        + "): " + e.getMessage() + "; expected redis://host:port/db or rediss://host:port/db");
            }
        }
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        ClientOptions options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(settings.whenDisconnected() == RedisQueueSettings.WhenDisconnected.FAIL
                        ? ClientOptions.DisconnectedBehavior.REJECT_COMMANDS
                        : ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .requestQueueSize(settings.requestQueueSize())
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build())
                .build();
        AbstractRedisClient client = null;
        StatefulConnection<byte[], byte[]> connection;
        RedisClusterCommands<byte[], byte[]> commands;
        try {
            if (settings.cluster()) {
                RedisClusterClient clusterClient = RedisClusterClient.create(resources, uris);
                client = clusterClient;
                // Lettuce 7 refreshes the topology on every adaptive trigger by default (MOVED/ASK
                // redirects, persistent reconnects, uncovered slots, unknown nodes); a periodic
                // refresh also notices a failover that no command ran into yet
                clusterClient.setOptions(ClusterClientOptions.builder(options)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enablePeriodicRefresh(CLUSTER_REFRESH_PERIOD).build())
                        .build());
                StatefulRedisClusterConnection<byte[], byte[]> c = clusterClient.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                commands = c.sync();
            } else {
                RedisClient standalone = RedisClient.create(resources, uris.get(0));
                client = standalone;
                standalone.setOptions(options);
                StatefulRedisConnection<byte[], byte[]> c = standalone.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                commands = c.sync();
            }
        } catch (RuntimeException e) {
            shutdown(client, resources);
            throw new TokException("the redis queue could not connect to " + settings.displayUri() + " (connect-timeout "
                    + text(settings.connectTimeout()) + "): " + describe(e) + "; is Redis running there and reachable?", e);
        }
        RedisQueue queue = new RedisQueue(settings, resources, client, connection, commands);
        try {
            queue.checkServer();
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
        LOG.log(Level.DEBUG, () -> "redis queue open on " + settings.displayUri() + (settings.cluster() ? " (cluster)" : "")
                + ": key-prefix=" + settings.keyPrefix()
                + ", max-messages-per-user=" + settings.maxPerUser() + ", max-bytes-per-user=" + settings.maxBytesPerUser()
                + ", command-timeout=" + settings.commandTimeout() + ", when-disconnected=" + settings.whenDisconnected());
        return queue;
    }

    private void checkServer() {
        String info;
        try {
            info = redis.info("server");
        } catch (RuntimeException e) {
            throw failure("INFO server", null, e);
        }
        String version = infoField(info, "redis_version");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.").matcher(version);
        int major = m.find() ? Integer.parseInt(m.group(1)) : 0;
        if (major < 7) {
            throw new TokException("the redis queue needs Redis 7.0 or newer (PEXPIRETIME, ZRANGE BYSCORE); " + settings.displayUri()
                    + " runs " + (version.isEmpty() ? "an unknown version" : "Redis " + version));
        }
        try {
            redis.scriptLoad(SCRIPT);
        } catch (RuntimeException e) {
            throw failure("SCRIPT LOAD", null, e);
        }
        try {
            Map<String, String> policy = redis.configGet("maxmemory-policy");
            String value = policy.getOrDefault("maxmemory-policy", "noeviction");
            if (!value.equals("noeviction")) {
                LOG.log(Level.WARNING, "Redis at {0} evicts keys when it is full (maxmemory-policy {1}): queued messages and "
                        + "device cursors can vanish. Set maxmemory-policy noeviction for the redis queue.", settings.displayUri(), value);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "cannot read maxmemory-policy of " + settings.displayUri() + " (CONFIG disabled?): " + e);
        }
    }

    // ---------------------------------------------------------------- Queue

    @Override
    public long enqueue(String uid, byte[] payload, Instant expiresAt) {
        byte[] token = new byte[16];
        ThreadLocalRandom.current().nextBytes(token);
        return enqueue(uid, payload, expiresAt, token);
    }

    /**
     * Enqueues under a token: the same token again within the dedup window (twice
     * {@code command-timeout} plus {@link #DEDUP_SLACK}) returns the first call's id and stores
     * nothing, so a call Lettuce re-sends after a reconnect (its reply was lost) stores the
     * message once.
     */
    long enqueue(String uid, byte[] payload, Instant expiresAt, byte[] token) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(expiresAt, "expiresAt");
        long now = System.currentTimeMillis();
        long forgetBefore = now - 2 * settings.commandTimeout().toMillis() - DEDUP_SLACK.toMillis();
        long expiry = millis(expiresAt);
        long keepUntil = Math.max(expiry, now) + KEY_MARGIN.toMillis();
        List<Object> reply;
        try {
            reply = run(ScriptOutputType.MULTI, OP_ENQUEUE, uid, now, payload, ascii(expiry),
                    ascii(settings.maxPerUser()), ascii(settings.maxBytesPerUser()), ascii(keepUntil), token, ascii(forgetBefore));
        } catch (OutOfMemory e) {
            throw full("Redis at " + settings.displayUri() + " refused the message for user '" + uid
                    + "': it is out of memory (maxmemory reached: " + e.getCause().getMessage() + "); raise Redis' maxmemory, "
                    + "lower max-messages-per-user or max-bytes-per-user, or give the messages a shorter ttl");
        }
        long code = (Long) reply.get(0);
        long value = (Long) reply.get(1);
        if (code == 2) {
            throw full("user '" + uid + "' already has " + value + " messages kept, the max-messages-per-user "
                    + "bound of " + settings.maxPerUser() + "; raise max-messages-per-user (default "
                    + RedisQueueSettings.DEFAULT_MAX_PER_USER + ") or give the messages a shorter ttl");
        }
        if (code == 3) {
            throw full("user '" + uid + "' already has " + value + " payload bytes kept and this message has "
                    + payload.length + ", over the max-bytes-per-user bound of " + settings.maxBytesPerUser()
                    + "; raise max-bytes-per-user (default 16MiB) or give the messages a shorter ttl");
        }
        return value;
    }

    @Override
    public List<QueuedMessage> peek(String uid, int max) {
        return range(uid, OLDEST, max);
    }

    @Override
    public List<QueuedMessage> read(String uid, long afterId, int max) {
        if (afterId == Long.MAX_VALUE) {
            Objects.requireNonNull(uid, "uid");
            requirePositive(max);
            ensureOpen();
            return List.of();
        }
        return range(uid, afterId < 0 ? OLDEST : ascii(afterId + 1), max);
    }

    @Override
    public long cursor(Device device) {
        Objects.requireNonNull(device, "device");
        long now = System.currentTimeMillis();
        byte[] cursor = run(ScriptOutputType.VALUE, OP_CURSOR, device.uid(), now,
                device.deviceId().getBytes(StandardCharsets.UTF_8), ascii(deviceKeepUntil(now)));
        return Long.parseLong(new String(cursor, StandardCharsets.US_ASCII));
    }

    @Override
    public void acknowledge(Device device, long upToId) {
        Objects.requireNonNull(device, "device");
        long now = System.currentTimeMillis();
        run(ScriptOutputType.INTEGER, OP_ACK_DEVICE, device.uid(), now, device.deviceId().getBytes(StandardCharsets.UTF_8),
                ascii(Math.max(0, upToId)), ascii(deviceKeepUntil(now)));
    }

    @Override
    public void acknowledge(String uid, long upToId) {
        Objects.requireNonNull(uid, "uid");
        run(ScriptOutputType.INTEGER, OP_ACK, uid, System.currentTimeMillis(), ascii(Math.max(0, upToId)));
    }

    @Override
    public int size(String uid) {
        Objects.requireNonNull(uid, "uid");
        long n = run(ScriptOutputType.INTEGER, OP_SIZE, uid, System.currentTimeMillis());
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** Closes the connection and stops Lettuce's threads. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "closing the connection to " + settings.displayUri() + ": " + e);
        }
        shutdown(client, resources);
        LOG.log(Level.DEBUG, () -> "redis queue on " + settings.displayUri() + " closed");
    }

    @Override
    public String toString() {
        return "RedisQueue[" + settings.displayUri() + ", key-prefix " + settings.keyPrefix() + (closed.get() ? ", closed]" : "]");
    }

    // ---------------------------------------------------------------- internals

    /** The keys of one user, in the script's KEYS order; the uid is their hash tag. */
    static final List<String> KEY_NAMES = List.of("meta", "log", "exp", "cursors", "sent", "sent-at");

    byte[][] keys(String uid) {
        String base = settings.keyPrefix() + "{" + hashTag(uid) + "}:";
        byte[][] keys = new byte[KEY_NAMES.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (base + KEY_NAMES.get(i)).getBytes(StandardCharsets.UTF_8);
        }
        return keys;
    }

    /**
     * The uid as the keys' hash tag: {@code %}, <code>{</code> and <code>}</code> percent-escaped, so
     * the tag is the whole uid (a <code>}</code> would end it early) and is never empty; the empty
     * uid becomes {@code %} (no escaped uid is a lone {@code %}). An empty tag would hash each key
     * whole, putting one user's keys in different Cluster slots.
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

    private List<QueuedMessage> range(String uid, byte[] first, int max) {
        Objects.requireNonNull(uid, "uid");
        requirePositive(max);
        List<Object> entries = run(ScriptOutputType.MULTI, OP_READ, uid, System.currentTimeMillis(), first, ascii(max));
        List<QueuedMessage> out = new ArrayList<>(entries.size());
        for (Object o : entries) {
            List<?> entry = (List<?>) o;
            String id = new String((byte[]) entry.get(0), StandardCharsets.US_ASCII);
            List<?> fields = (List<?>) entry.get(1);
            long expiry = 0;
            byte[] payload = null;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String field = new String((byte[]) fields.get(i), StandardCharsets.US_ASCII);
                if (field.equals("e")) {
                    expiry = Long.parseLong(new String((byte[]) fields.get(i + 1), StandardCharsets.US_ASCII));
                } else if (field.equals("p")) {
                    payload = (byte[]) fields.get(i + 1);
                }
            }
            out.add(new QueuedMessage(Long.parseLong(id.substring(0, id.indexOf('-'))), payload == null ? new byte[0] : payload,
                    Instant.ofEpochMilli(expiry)));
        }
        return out;
    }

    private long deviceKeepUntil(long now) {
        return now + Math.min(settings.deviceRetention().toMillis(), MAX_EXPIRY_MILLIS - now) + KEY_MARGIN.toMillis();
    }

    /** Runs one operation of the script on the user's keys; its first two arguments are the operation and now. */
    private <T> T run(ScriptOutputType type, byte[] op, String uid, long now, byte[]... args) {
        ensureOpen();
        byte[][] keys = keys(uid);
        byte[][] argv = new byte[args.length + 2][];
        argv[0] = op;
        argv[1] = ascii(now);
        System.arraycopy(args, 0, argv, 2, args.length);
        try {
            try {
                return redis.evalsha(SCRIPT_SHA, type, keys, argv);
            } catch (RedisNoScriptException e) {
                // Redis lost its script cache (restart, failover, SCRIPT FLUSH): EVAL runs and caches it again
                LOG.log(Level.DEBUG, () -> "script not cached on " + settings.displayUri() + "; sending it again");
                return redis.eval(SCRIPT, type, keys, argv);
            }
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (op == OP_ENQUEUE && message.startsWith("OOM ")) {
                throw new OutOfMemory(e);
            }
            throw failure(new String(op, StandardCharsets.US_ASCII), uid, e);
        }
    }

    /** The refusal, logged at WARNING the first time a minute and at DEBUG otherwise. */
    private QueueFullException full(String message) {
        long now = System.nanoTime();
        long last = lastFullWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastFullWarning.compareAndSet(last, now)) {
            LOG.log(Level.WARNING, "redis queue refused a message (further refusals logged at DEBUG for a minute): {0}", message);
        } else {
            LOG.log(Level.DEBUG, () -> "redis queue refused a message: " + message);
        }
        return new QueueFullException(message);
    }

    private TokException failure(String operation, String uid, RuntimeException e) {
        if (e instanceof TokException) {
            return (TokException) e;
        }
        String what = "the redis queue's " + operation + (uid == null ? "" : " for user '" + uid + "'") + " on "
                + settings.displayUri() + " failed: " + describe(e);
        if (e instanceof RedisCommandTimeoutException) {
            what += " (command-timeout " + text(settings.commandTimeout()) + "; is Redis running and reachable?)";
        }
        return new TokException(what, e);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new TokException("the redis queue on " + settings.displayUri()
                    + " is closed; it cannot be used after close() (the hub closes its queue on Hub.close())");
        }
    }

    private static void requirePositive(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
    }

    private static long millis(Instant instant) {
        if (instant.getEpochSecond() >= MAX_EXPIRY_MILLIS / 1000) {
            return MAX_EXPIRY_MILLIS;
        }
        if (instant.getEpochSecond() < 0) {
            return 0;
        }
        return instant.toEpochMilli();
    }

    /** The exception's message and those of its causes, for people. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    /** A duration as the settings write it: {@code 5s}, {@code 250ms}. */
    static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static String infoField(String info, String field) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "";
    }

    private static void shutdown(AbstractRedisClient client, ClientResources resources) {
        try {
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "Lettuce client shutdown: " + e);
        }
        try {
            // waited on as a java.util.concurrent.Future: no Netty type in this module's code
            java.util.concurrent.Future<Boolean> done = resources.shutdown(0, 2, TimeUnit.SECONDS);
            done.get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(Level.DEBUG, () -> "Lettuce resources shutdown: " + e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(long n) {
        return ascii(Long.toString(n));
    }

    private static byte[] script() {
        try (InputStream in = RedisQueue.class.getResourceAsStream("queue.lua")) {
            if (in == null) {
                throw new IllegalStateException("queue.lua missing from tok-queue-redis");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1Hex(byte[] bytes) {
        try {
            StringBuilder sb = new StringBuilder(40);
            for (byte b : MessageDigest.getInstance("SHA-1").digest(bytes)) {
                sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    /** Redis refused an enqueue because it reached maxmemory. */
    private static final class OutOfMemory extends TokException {
        private static final long serialVersionUID = 1L;

        OutOfMemory(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
