package dev.tok.transport.support;

import dev.tok.api.ConfigurationException;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of the WebSocket transports, validated: {@code jetty-ws} and {@code netty-ws}
 * read every key through this class, so both engines understand the same vocabulary with the
 * same defaults and the same error messages. The {@code tls-*} keys are those of
 * {@link ServerTls} and the connection and rate limits those of {@link EdgeSettings}, both shared
 * with the {@code tcp} transport. Immutable.
 */
public final class WsSettings {

    /** Setting key: address to bind. */
    public static final String HOST = "host";
    /** Setting key: port to bind; 0 for any free port. */
    public static final String PORT = "port";
    /** Setting key: the WebSocket path. */
    public static final String PATH = "path";
    /** Setting key: largest inbound message. */
    public static final String MAX_MESSAGE_SIZE = "max-message-size";
    /** Setting key: WebSocket ping interval. */
    public static final String PING_INTERVAL = "ping-interval";
    /** Setting key: {@code text} or {@code binary}: frame type of outbound messages. */
    public static final String MESSAGE_TYPE = "message-type";
    /** Setting key: origins accepted besides same-origin. */
    public static final String ALLOWED_ORIGINS = "allowed-origins";
    /** Setting key: whether permessage-deflate is negotiated. */
    public static final String PERMESSAGE_DEFLATE = "permessage-deflate";
    /** Setting key: outbound bytes before the write timeout starts. */
    public static final String HIGH_WATER_MARK = "high-water-mark";
    /** Setting key: cap on outbound bytes per connection. */
    public static final String MAX_PENDING_BYTES = "max-pending-bytes";
    /** Setting key: how long outbound bytes may stay above the high-water mark. */
    public static final String WRITE_TIMEOUT = "write-timeout";
    /** Setting key: how long a close waits for the peer's close. */
    public static final String STOP_TIMEOUT = "stop-timeout";

    /**
     * Keys both WebSocket transports understand, the {@code tls-*} keys of {@link ServerTls} and the
     * limits of {@link EdgeSettings} included.
     */
    public static final Set<String> COMMON_NAMES = union(union(Set.of(HOST, PORT, PATH, MAX_MESSAGE_SIZE,
            PING_INTERVAL, MESSAGE_TYPE, ALLOWED_ORIGINS, PERMESSAGE_DEFLATE, HIGH_WATER_MARK, MAX_PENDING_BYTES,
            WRITE_TIMEOUT, STOP_TIMEOUT), ServerTls.NAMES), EdgeSettings.NAMES);

    /**
     * Keys that configure the listening socket: {@code host}, {@code port} and every TLS key.
     * A transport mounted into an application's server leaves them to the application.
     */
    public static final Set<String> CONNECTOR_NAMES = union(Set.of(HOST, PORT), ServerTls.NAMES);

    /** Default maximum inbound message size: 4 MiB, as in Go tok. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;
    /** Default outbound high-water mark: 1 MiB. */
    public static final long DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
    /** {@code max-pending-bytes} defaults to this many times the high-water mark, as in {@code tcp}. */
    public static final int DEFAULT_PENDING_FACTOR = 64;
    /** Longest WebSocket ping interval chosen by default. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);

    private final String host;
    private final int port;
    private final String path;
    private final int maxMessageSize;
    private final Duration pingInterval;
    private final boolean binary;
    private final List<String> allowedOrigins;
    private final boolean deflate;
    private final ServerTls tls;
    private final long highWaterMark;
    private final long maxPendingBytes;
    private final Duration writeTimeout;
    private final Duration stopTimeout;
    private final EdgeSettings edge;

    private WsSettings(Settings s) {
        host = s.string(HOST, "0.0.0.0");
        port = s.integer(PORT, 8080);
        if (port < 0 || port > 65535) {
            throw s.malformed(PORT, String.valueOf(port), "a port from 0 to 65535 (0: any free port)");
        }
        path = s.string(PATH, "/ws");
        if (!path.startsWith("/") || path.contains("?") || path.contains("#") || path.contains(" ")) {
            throw s.malformed(PATH, path, "an absolute path such as /ws, without query");
        }
        long max = s.bytes(MAX_MESSAGE_SIZE, DEFAULT_MAX_MESSAGE_SIZE);
        if (max < 1 || max > Integer.MAX_VALUE - 8) {
            throw s.malformed(MAX_MESSAGE_SIZE, s.string(MAX_MESSAGE_SIZE, ""), "a size from 1 to 2GiB, such as 4MiB");
        }
        maxMessageSize = (int) max;
        edge = EdgeSettings.parse(s, MAX_MESSAGE_SIZE, maxMessageSize);
        pingInterval = s.duration(PING_INTERVAL, null);
        if (pingInterval != null && pingInterval.isNegative()) {
            throw s.malformed(PING_INTERVAL, s.string(PING_INTERVAL, ""), "a duration of 0 (off) or more, such as 30s");
        }
        String type = s.string(MESSAGE_TYPE, "text").toLowerCase(Locale.ROOT);
        if (!type.equals("text") && !type.equals("binary")) {
            throw s.malformed(MESSAGE_TYPE, type, "text or binary");
        }
        binary = type.equals("binary");
        List<String> origins = new ArrayList<>();
        for (String o : s.list(ALLOWED_ORIGINS)) {
            if (o.equals("*")) {
                origins.add(o);
                continue;
            }
            String normalized = Origins.normalize(o);
            if (normalized == null) {
                throw s.malformed(ALLOWED_ORIGINS, o, "a comma-separated list of origins such as https://app.example.com, or *");
            }
            origins.add(normalized);
        }
        allowedOrigins = List.copyOf(origins);
        deflate = s.bool(PERMESSAGE_DEFLATE, false);
        tls = ServerTls.from(s).orElse(null);
        highWaterMark = s.bytes(HIGH_WATER_MARK, DEFAULT_HIGH_WATER_MARK);
        if (highWaterMark < 1) {
            throw s.malformed(HIGH_WATER_MARK, s.string(HIGH_WATER_MARK, ""), "a positive size such as 1MiB");
        }
        maxPendingBytes = s.bytes(MAX_PENDING_BYTES, Math.multiplyExact(highWaterMark, (long) DEFAULT_PENDING_FACTOR));
        if (maxPendingBytes < highWaterMark) {
            throw s.malformed(MAX_PENDING_BYTES, s.string(MAX_PENDING_BYTES, ""), "a size of at least high-water-mark ("
                    + highWaterMark + " bytes); it caps what may wait for one connection");
        }
        writeTimeout = s.duration(WRITE_TIMEOUT, null);
        if (writeTimeout != null && (writeTimeout.isZero() || writeTimeout.isNegative())) {
            throw s.malformed(WRITE_TIMEOUT, s.string(WRITE_TIMEOUT, ""), "a positive duration such as 30s");
        }
        stopTimeout = s.duration(STOP_TIMEOUT, Duration.ofSeconds(5));
        if (stopTimeout.isNegative()) {
            throw s.malformed(STOP_TIMEOUT, s.string(STOP_TIMEOUT, ""), "a duration of 0 or more, such as 5s");
        }
    }

    /**
     * Validates settings.
     *
     * @param s     the settings
     * @param names every key the transport accepts
     * @return the validated settings
     * @throws ConfigurationException naming the key and the fix
     */
    public static WsSettings parse(Settings s, Set<String> names) {
        if (s.string("idle-timeout").isPresent()) {
            throw new ConfigurationException("setting 'idle-timeout' for " + s.owner() + " was removed: the hub's read timeout "
                    + "closes silent connections for every transport, and WebSocket pongs count as activity; set "
                    + "HubConfig.Builder.readTimeout(..) (read-timeout) instead");
        }
        s.requireKnown(names);
        return new WsSettings(s);
    }

    /**
     * @param extra engine-specific keys
     * @return {@link #COMMON_NAMES} and {@code extra}
     */
    public static Set<String> with(String... extra) {
        return union(COMMON_NAMES, Set.of(extra));
    }

    private static Set<String> union(Set<String> names, Set<String> more) {
        Set<String> all = new TreeSet<>(names);
        all.addAll(more);
        return Set.copyOf(all);
    }

    /** @return the address to bind */
    public String host() {
        return host;
    }

    /** @return the port to bind; 0 for any free port */
    public int port() {
        return port;
    }

    /** @return the WebSocket path, such as {@code /ws} */
    public String path() {
        return path;
    }

    /** @return the largest inbound message in bytes, all fragments together */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** @return whether outbound messages go as binary frames (else text) */
    public boolean binary() {
        return binary;
    }

    /** @return the normalized allowed origins, possibly {@code *} */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** @return whether permessage-deflate is negotiated when offered */
    public boolean deflate() {
        return deflate;
    }

    /** @return the TLS material; empty for plain ws */
    public Optional<ServerTls> tls() {
        return Optional.ofNullable(tls);
    }

    /** @return outbound bytes a connection may hold before the write timeout starts */
    public long highWaterMark() {
        return highWaterMark;
    }

    /**
     * @return the most outbound bytes a connection may hold unwritten: a write that would pass
     *         it closes the connection as a slow consumer; at least {@link #highWaterMark()}
     */
    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    /** @return the connection limits, rate limits and auth-failure bans */
    public EdgeSettings edge() {
        return edge;
    }

    /** @return how long a close waits for the peer's close */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    /**
     * @param hub the hub's configuration
     * @return the WebSocket ping interval: the setting, else half the hub's read timeout capped
     *         at 30s (30s without read timeout), so that the pongs, which the transports report
     *         as activity, keep a live peer within the read timeout; zero means off
     */
    public Duration pingInterval(HubConfig hub) {
        if (pingInterval != null) {
            return pingInterval;
        }
        Duration idle = hub.readTimeout();
        if (idle.isZero()) {
            return DEFAULT_PING_INTERVAL;
        }
        Duration half = idle.dividedBy(2);
        return half.compareTo(DEFAULT_PING_INTERVAL) < 0 ? half : DEFAULT_PING_INTERVAL;
    }

    /**
     * @param hub the hub's configuration
     * @return how long outbound bytes may stay above the high-water mark: the setting, else the
     *         hub's write timeout
     */
    public Duration writeTimeout(HubConfig hub) {
        return writeTimeout != null ? writeTimeout : hub.writeTimeout();
    }
}
