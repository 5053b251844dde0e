package dev.tok.queue.redis;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The validated settings of one redis queue. Parsing touches no Lettuce class.
 *
 * @param uris             where Redis is: {@code redis://[user:password@]host[:port][/db]} or
 *                         {@code rediss://...}; with {@code cluster}, one or more seed nodes
 * @param displayUri       the uris without credentials, comma-separated, for messages and logs
 * @param cluster          whether Redis is a Redis Cluster
 * @param keyPrefix        prepended to every key
 * @param commandTimeout   how long one operation may wait for Redis
 * @param connectTimeout   how long connecting may take
 * @param maxPerUser       most messages kept for one user
 * @param maxBytesPerUser  most payload bytes kept for one user
 * @param deviceRetention  how long a device's cursor is kept after the device was last seen
 * @param whenDisconnected what an operation does while the connection is down
 * @param requestQueueSize most commands waiting for Redis
 */
record RedisQueueSettings(
        List<String> uris,
        String displayUri,
        boolean cluster,
        String keyPrefix,
        Duration commandTimeout,
        Duration connectTimeout,
        int maxPerUser,
        long maxBytesPerUser,
        Duration deviceRetention,
        WhenDisconnected whenDisconnected,
        int requestQueueSize) {

    static final String URI_KEY = "uri";
    static final String CLUSTER = "cluster";
    static final String KEY_PREFIX = "key-prefix";
    static final String COMMAND_TIMEOUT = "command-timeout";
    static final String CONNECT_TIMEOUT = "connect-timeout";
    static final String MAX_MESSAGES_PER_USER = "max-messages-per-user";
    static final String MAX_BYTES_PER_USER = "max-bytes-per-user";
    static final String DEVICE_RETENTION = "device-retention";
    static final String WHEN_DISCONNECTED = "when-disconnected";
    static final String REQUEST_QUEUE_SIZE = "request-queue-size";

    static final Set<String> NAMES = Set.of(URI_KEY, CLUSTER, KEY_PREFIX, COMMAND_TIMEOUT, CONNECT_TIMEOUT, MAX_MESSAGES_PER_USER,
            MAX_BYTES_PER_USER, DEVICE_RETENTION, WHEN_DISCONNECTED, REQUEST_QUEUE_SIZE);

    static final String DEFAULT_KEY_PREFIX = "tok:";
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final int DEFAULT_MAX_PER_USER = 10_000;
    static final long DEFAULT_MAX_BYTES_PER_USER = 16L << 20;
    static final Duration DEFAULT_DEVICE_RETENTION = Duration.ofDays(30);
    static final int DEFAULT_REQUEST_QUEUE_SIZE = 10_000;

    /** What an operation does while the connection to Redis is down (Lettuce reconnects meanwhile). */
    enum WhenDisconnected {
        /** It waits for the reconnect, at most {@code command-timeout}, then fails. */
        WAIT,
        /** It fails at once. */
        FAIL
    }

    static RedisQueueSettings from(Settings s) {
        String uri = s.string(URI_KEY).orElseThrow(() -> new ConfigurationException(
                "setting '" + URI_KEY + "' for " + s.owner() + " is required: where Redis is, for example "
                        + URI_KEY + "=redis://127.0.0.1:6379/0 (rediss:// for TLS, redis://:password@host:6379/0 with a password; "
                        + "with " + CLUSTER + "=true, comma-separated seed nodes)"));
        boolean cluster = s.bool(CLUSTER, false);
        List<String> uris = s.list(URI_KEY);
        if (uris.size() > 1 && !cluster) {
            throw s.malformed(URI_KEY, String.join(",", displayUris(s, uris)),
                    "one uri; several (comma-separated seed nodes) only with " + CLUSTER + "=true");
        }
        String display = String.join(",", displayUris(s, uris));
        String prefix = s.string(KEY_PREFIX, DEFAULT_KEY_PREFIX);
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw s.malformed(KEY_PREFIX, prefix, "a prefix without '{' and '}' (the user id is the key's {hash tag}), such as tok:");
        }
        Duration commandTimeout = positive(s, COMMAND_TIMEOUT, s.duration(COMMAND_TIMEOUT, DEFAULT_COMMAND_TIMEOUT), "5s or 500ms");
        Duration connectTimeout = positive(s, CONNECT_TIMEOUT, s.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT), "5s or 500ms");
        int maxPerUser = s.integer(MAX_MESSAGES_PER_USER, DEFAULT_MAX_PER_USER);
        if (maxPerUser < 1) {
            throw s.malformed(MAX_MESSAGES_PER_USER, s.string(MAX_MESSAGES_PER_USER, ""), "a positive number of messages such as "
                    + DEFAULT_MAX_PER_USER);
        }
        long maxBytes = s.bytes(MAX_BYTES_PER_USER, DEFAULT_MAX_BYTES_PER_USER);
        if (maxBytes < 1) {
            throw s.malformed(MAX_BYTES_PER_USER, s.string(MAX_BYTES_PER_USER, ""), "a positive size such as 16MiB");
        }
        Duration retention = positive(s, DEVICE_RETENTION, s.duration(DEVICE_RETENTION, DEFAULT_DEVICE_RETENTION), "30d or 12h");
        WhenDisconnected when = s.enumValue(WHEN_DISCONNECTED, WhenDisconnected.class, WhenDisconnected.WAIT);
        int queueSize = s.integer(REQUEST_QUEUE_SIZE, DEFAULT_REQUEST_QUEUE_SIZE);
        if (queueSize < 1) {
            throw s.malformed(REQUEST_QUEUE_SIZE, s.string(REQUEST_QUEUE_SIZE, ""), "a positive number of commands such as "
                    + DEFAULT_REQUEST_QUEUE_SIZE);
        }
        return new RedisQueueSettings(uris, display, cluster, prefix, commandTimeout, connectTimeout, maxPerUser, maxBytes, retention, when,
                queueSize);
    }

    private static Duration positive(Settings s, String key, Duration d, String example) {
        if (d.isNegative() || d.isZero()) {
            throw s.malformed(key, s.string(key, ""), "a positive duration such as " + example);
        }
        return d;
    }

    private static List<String> displayUris(Settings s, List<String> uris) {
        List<String> out = new ArrayList<>();
        for (String u : uris) {
            out.add(displayUri(s, u));
        }
        return out;
    }

    /** Checks the form of the uri and returns it without user and password. */
    private static String displayUri(Settings s, String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw s.malformed(URI_KEY, "(not shown: it may hold a password)",
                    "redis://host:port/db or rediss://host:port/db (" + e.getReason() + ")");
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw s.malformed(URI_KEY, withoutUserInfo(parsed), "a redis:// or rediss:// (TLS) uri such as redis://127.0.0.1:6379/0");
        }
        if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
            throw s.malformed(URI_KEY, withoutUserInfo(parsed), "a uri with a host, such as redis://127.0.0.1:6379/0");
        }
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        if (!path.isEmpty() && !path.matches("/\\d{0,5}")) {
            throw s.malformed(URI_KEY, withoutUserInfo(parsed), "a database number as the path, such as redis://127.0.0.1:6379/0");
        }
        int port = parsed.getPort() < 0 ? 6379 : parsed.getPort();
        String db = path.length() > 1 ? path.substring(1) : "0";
        return scheme + "://" + parsed.getHost() + ":" + port + "/" + db;
    }

    private static String withoutUserInfo(URI u) {
        return u.getRawUserInfo() == null ? u.toString() : u.toString().replace(u.getRawUserInfo() + "@", "");
    }
}
