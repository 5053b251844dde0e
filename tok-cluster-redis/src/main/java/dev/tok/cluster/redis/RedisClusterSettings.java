package dev.tok.cluster.redis;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The validated settings of one redis cluster node. Parsing touches no Lettuce class.
 *
 * @param uris             where Redis is: {@code redis://[user:password@]host[:port][/db]} or {@code rediss://...};
 *                         with {@code cluster}, one or more seed nodes
 * @param displayUri       the uris without credentials, comma-separated, for messages and logs
 * @param cluster          whether Redis is a Redis Cluster
 * @param nodeId           this node's id
 * @param lease            how long a node counts as live after its last heartbeat
 * @param heartbeat        how often the node renews its lease and sweeps lapsed nodes
 * @param commandTimeout   how long one Redis command may take
 * @param routeTimeout     how long a routed send or kick waits for the holding node's answer
 * @param connectTimeout   how long connecting may take
 * @param keyPrefix        prepended to every key and channel
 * @param requestQueueSize most commands waiting for Redis (Lettuce's request queue; per Redis node with {@code cluster})
 * @param epochTtl         how long a user's epoch counter is kept after the user's last registration
 */
record RedisClusterSettings(
        List<String> uris,
        String displayUri,
        boolean cluster,
        String nodeId,
        Duration lease,
        Duration heartbeat,
        Duration commandTimeout,
        Duration routeTimeout,
        Duration connectTimeout,
        String keyPrefix,
        int requestQueueSize,
        Duration epochTtl) {

    /** Copies the list. */
    RedisClusterSettings {
        uris = List.copyOf(uris);
    }

    static final String URI_KEY = "uri";
    static final String CLUSTER = "cluster";
    static final String NODE_ID = "node-id";
    static final String LEASE = "lease";
    static final String HEARTBEAT = "heartbeat";
    static final String COMMAND_TIMEOUT = "command-timeout";
    static final String ROUTE_TIMEOUT = "route-timeout";
    static final String CONNECT_TIMEOUT = "connect-timeout";
    static final String KEY_PREFIX = "key-prefix";
    static final String REQUEST_QUEUE_SIZE = "request-queue-size";
    static final String EPOCH_TTL = "epoch-ttl";

    static final Set<String> NAMES = Set.of(URI_KEY, CLUSTER, NODE_ID, LEASE, HEARTBEAT, COMMAND_TIMEOUT, ROUTE_TIMEOUT, CONNECT_TIMEOUT,
            KEY_PREFIX, REQUEST_QUEUE_SIZE, EPOCH_TTL);

    static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_ROUTE_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final String DEFAULT_KEY_PREFIX = "tok:cluster:";
    static final int DEFAULT_REQUEST_QUEUE_SIZE = 10_000;
    static final Duration DEFAULT_EPOCH_TTL = Duration.ofDays(30);
    private static final String NODE_ID_FORM = "[A-Za-z0-9._-]{1,64}";

    static RedisClusterSettings from(Settings s) {
        String uri = s.string(URI_KEY).orElseThrow(() -> new ConfigurationException("setting '" + URI_KEY + "' for " + s.owner()
                + " is required: where Redis is, for example " + URI_KEY + "=redis://127.0.0.1:6379/0 (rediss:// for TLS; with "
                + CLUSTER + "=true, comma-separated seed nodes)"));
        boolean cluster = s.bool(CLUSTER, false);
        List<String> uris = s.list(URI_KEY);
        List<String> shown = new ArrayList<>();
        for (String u : uris) {
            shown.add(checkedDisplayUri(s, u));
        }
        if (uris.isEmpty()) {
            throw s.malformed(URI_KEY, uri, "a redis:// or rediss:// (TLS) uri with a host, such as redis://127.0.0.1:6379/0");
        }
        if (uris.size() > 1 && !cluster) {
            throw s.malformed(URI_KEY, String.join(",", shown), "one uri; several (comma-separated seed nodes) only with " + CLUSTER
                    + "=true");
        }
        String display = String.join(",", shown);
        String nodeId = s.string(NODE_ID).orElseGet(RedisClusterSettings::generatedNodeId);
        if (!nodeId.matches(NODE_ID_FORM)) {
            throw s.malformed(NODE_ID, nodeId, "1 to 64 letters, digits, '.', '_' or '-', such as node-1");
        }
        Duration lease = positive(s, LEASE, s.duration(LEASE, DEFAULT_LEASE), "10s");
        Duration heartbeat = positive(s, HEARTBEAT, s.duration(HEARTBEAT, DEFAULT_HEARTBEAT.compareTo(lease.dividedBy(3)) < 0
                ? DEFAULT_HEARTBEAT : lease.dividedBy(3)), "2s");
        if (heartbeat.multipliedBy(2).compareTo(lease) > 0) {
            throw s.malformed(HEARTBEAT, s.string(HEARTBEAT, heartbeat.toString()), "at most half the lease (" + lease.toMillis()
                    + "ms), so that one missed heartbeat does not end the lease; a third of it or less is best");
        }
        Duration commandTimeout = positive(s, COMMAND_TIMEOUT, s.duration(COMMAND_TIMEOUT, DEFAULT_COMMAND_TIMEOUT), "2s");
        Duration routeTimeout = positive(s, ROUTE_TIMEOUT, s.duration(ROUTE_TIMEOUT, DEFAULT_ROUTE_TIMEOUT), "2s");
        Duration connectTimeout = positive(s, CONNECT_TIMEOUT, s.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT), "5s");
        String prefix = s.string(KEY_PREFIX, DEFAULT_KEY_PREFIX);
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw s.malformed(KEY_PREFIX, prefix, "a prefix without '{' and '}' (the user id is the key's {hash tag}), such as "
                    + DEFAULT_KEY_PREFIX);
        }
        int queueSize = s.integer(REQUEST_QUEUE_SIZE, DEFAULT_REQUEST_QUEUE_SIZE);
        if (queueSize < 1) {
            throw s.malformed(REQUEST_QUEUE_SIZE, String.valueOf(queueSize), "a positive number of commands such as "
                    + DEFAULT_REQUEST_QUEUE_SIZE);
        }
        Duration epochTtl = positive(s, EPOCH_TTL, s.duration(EPOCH_TTL, DEFAULT_EPOCH_TTL), "30d");
        if (epochTtl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw s.malformed(EPOCH_TTL, s.string(EPOCH_TTL, ""), "at least 1s; days are usual, such as 30d");
        }
        return new RedisClusterSettings(uris, display, cluster, nodeId, lease, heartbeat, commandTimeout, routeTimeout, connectTimeout,
                prefix, queueSize, epochTtl);
    }

    private static String generatedNodeId() {
        return "node-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Duration positive(Settings s, String key, Duration d, String example) {
        if (d.isNegative() || d.isZero()) {
            throw s.malformed(key, s.string(key, ""), "a positive duration such as " + example);
        }
        return d;
    }

    /** Checks the uri's form and returns it without user and password. */
    private static String checkedDisplayUri(Settings s, String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw s.malformed(URI_KEY, "(not shown: it may hold a password)", "redis://host:port/db (" + e.getReason() + ")");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String shown = u.getRawUserInfo() == null ? uri : uri.replace(u.getRawUserInfo() + "@", "");
        if (!(scheme.equals("redis") || scheme.equals("rediss")) || u.getHost() == null || u.getHost().isEmpty()) {
            throw s.malformed(URI_KEY, shown, "a redis:// or rediss:// (TLS) uri with a host, such as redis://127.0.0.1:6379/0");
        }
        String path = u.getPath() == null ? "" : u.getPath();
        if (!path.isEmpty() && !path.matches("/\\d{0,5}")) {
            throw s.malformed(URI_KEY, shown, "a database number as the path, such as redis://127.0.0.1:6379/0");
        }
        return scheme + "://" + u.getHost() + ":" + (u.getPort() < 0 ? 6379 : u.getPort()) + "/" + (path.length() > 1 ? path.substring(1) : "0");
    }
}
