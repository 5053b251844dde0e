package dev.tok.transport.support;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.time.Duration;
import java.util.Set;

/**
 * The settings that harden a transport's edge, read the same way by {@code tcp}, {@code jetty-ws}
 * and {@code netty-ws}: connection limits (in total, per IP address, unauthenticated per IP
 * address), the inbound rate limit of each connection (frames and bytes per second, token
 * buckets with a burst), and the ban of addresses after repeated failed authentications. Every
 * limit is off at {@code 0}. Immutable; {@link #newGuard()} makes the per-transport state and
 * {@link #newInboundRate()} the per-connection state.
 */
public final class EdgeSettings {

    /** Setting key: open connections the transport holds, authenticated or not; 0 = no limit. */
    public static final String MAX_CONNECTIONS = "max-connections";
    /** Setting key: open connections from one IP address; 0 = no limit. */
    public static final String MAX_CONNECTIONS_PER_IP = "max-connections-per-ip";
    /** Setting key: connections from one IP address that have not authenticated yet; 0 = no limit. */
    public static final String MAX_UNAUTHENTICATED_PER_IP = "max-unauthenticated-per-ip";
    /** Setting key: inbound frames per second and connection; 0 = off. */
    public static final String RATE_LIMIT_FRAMES_PER_SECOND = "rate-limit-frames-per-second";
    /** Setting key: frames a connection may send at once before the per-second rate applies. */
    public static final String RATE_LIMIT_FRAMES_BURST = "rate-limit-frames-burst";
    /** Setting key: inbound payload bytes per second and connection; 0 = off. */
    public static final String RATE_LIMIT_BYTES_PER_SECOND = "rate-limit-bytes-per-second";
    /** Setting key: payload bytes a connection may send at once before the per-second rate applies. */
    public static final String RATE_LIMIT_BYTES_BURST = "rate-limit-bytes-burst";
    /** Setting key: failed authentications from one IP address within the window that ban it; 0 = off. */
    public static final String AUTH_FAILURE_LIMIT = "auth-failure-limit";
    /** Setting key: the window in which failed authentications are counted. */
    public static final String AUTH_FAILURE_WINDOW = "auth-failure-window";
    /** Setting key: the first ban; each repeated ban lasts twice the one before. */
    public static final String AUTH_FAILURE_BAN = "auth-failure-ban";
    /** Setting key: the longest ban; an address quiet for this long is forgotten. */
    public static final String AUTH_FAILURE_MAX_BAN = "auth-failure-max-ban";
    /** Setting key: how many IP addresses the failure table holds at most. */
    public static final String AUTH_FAILURE_TRACKED_IPS = "auth-failure-tracked-ips";

    /** Every key of this class, for the transports' lists of known keys. */
    public static final Set<String> NAMES = Set.of(MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP, MAX_UNAUTHENTICATED_PER_IP,
            RATE_LIMIT_FRAMES_PER_SECOND, RATE_LIMIT_FRAMES_BURST, RATE_LIMIT_BYTES_PER_SECOND, RATE_LIMIT_BYTES_BURST,
            AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW, AUTH_FAILURE_BAN, AUTH_FAILURE_MAX_BAN, AUTH_FAILURE_TRACKED_IPS);

    /** Default {@code max-connections}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default {@code max-connections-per-ip}. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 256;
    /** Default {@code max-unauthenticated-per-ip}. */
    public static final int DEFAULT_MAX_UNAUTHENTICATED_PER_IP = 32;
    /** Default {@code rate-limit-frames-per-second}: far above what a person types, room for acknowledgements. */
    public static final int DEFAULT_FRAMES_PER_SECOND = 100;
    /** Default {@code rate-limit-frames-burst}: room for a client acknowledging a queue drain at once. */
    public static final int DEFAULT_FRAMES_BURST = 1_000;
    /** Default {@code rate-limit-bytes-per-second}: 1 MiB. */
    public static final long DEFAULT_BYTES_PER_SECOND = 1024L * 1024;
    /** Default {@code rate-limit-bytes-burst}: 8 MiB, two frames of the default 4 MiB maximum. */
    public static final long DEFAULT_BYTES_BURST = 8L * 1024 * 1024;
    /** Default {@code auth-failure-limit}. */
    public static final int DEFAULT_AUTH_FAILURE_LIMIT = 10;
    /** Default {@code auth-failure-window}. */
    public static final Duration DEFAULT_AUTH_FAILURE_WINDOW = Duration.ofMinutes(1);
    /** Default {@code auth-failure-ban}. */
    public static final Duration DEFAULT_AUTH_FAILURE_BAN = Duration.ofMinutes(1);
    /** Default {@code auth-failure-max-ban}. */
    public static final Duration DEFAULT_AUTH_FAILURE_MAX_BAN = Duration.ofHours(1);
    /** Default {@code auth-failure-tracked-ips}. */
    public static final int DEFAULT_AUTH_FAILURE_TRACKED_IPS = 10_000;

    private final int maxConnections;
    private final int maxConnectionsPerIp;
    private final int maxUnauthenticatedPerIp;
    private final int framesPerSecond;
    private final int framesBurst;
    private final long bytesPerSecond;
    private final long bytesBurst;
    private final int authFailureLimit;
    private final Duration authFailureWindow;
    private final Duration authFailureBan;
    private final Duration authFailureMaxBan;
    private final int authFailureTrackedIps;

    private EdgeSettings(Settings s, String frameKey, long maxFrame) {
        maxConnections = notNegative(s, MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, "connections");
        maxConnectionsPerIp = notNegative(s, MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_CONNECTIONS_PER_IP, "connections");
        maxUnauthenticatedPerIp = notNegative(s, MAX_UNAUTHENTICATED_PER_IP, DEFAULT_MAX_UNAUTHENTICATED_PER_IP, "connections");
        framesPerSecond = notNegative(s, RATE_LIMIT_FRAMES_PER_SECOND, DEFAULT_FRAMES_PER_SECOND, "frames");
        framesBurst = s.integer(RATE_LIMIT_FRAMES_BURST, DEFAULT_FRAMES_BURST);
        if (framesBurst < 1) {
            throw s.malformed(RATE_LIMIT_FRAMES_BURST, s.string(RATE_LIMIT_FRAMES_BURST, ""),
                    "a number of frames of at least 1, such as " + DEFAULT_FRAMES_BURST);
        }
        bytesPerSecond = s.bytes(RATE_LIMIT_BYTES_PER_SECOND, DEFAULT_BYTES_PER_SECOND);
        if (bytesPerSecond < 0) {
            throw s.malformed(RATE_LIMIT_BYTES_PER_SECOND, s.string(RATE_LIMIT_BYTES_PER_SECOND, ""),
                    "a size per second such as 1MiB, or 0 for no limit");
        }
        bytesBurst = s.bytes(RATE_LIMIT_BYTES_BURST, Math.max(DEFAULT_BYTES_BURST, maxFrame));
        if (bytesBurst < 1) {
            throw s.malformed(RATE_LIMIT_BYTES_BURST, s.string(RATE_LIMIT_BYTES_BURST, ""), "a positive size such as 8MiB");
        }
        if (bytesPerSecond > 0 && bytesBurst < maxFrame) {
            throw new ConfigurationException("setting '" + RATE_LIMIT_BYTES_BURST + "' for " + s.owner() + " is " + bytesBurst
                    + " bytes, less than '" + frameKey + "' (" + maxFrame + " bytes): a frame of the maximum size could never "
                    + "pass the rate limit; raise " + RATE_LIMIT_BYTES_BURST + " to at least " + maxFrame + ", lower " + frameKey
                    + ", or set " + RATE_LIMIT_BYTES_PER_SECOND + " to 0 (off)");
        }
        authFailureLimit = notNegative(s, AUTH_FAILURE_LIMIT, DEFAULT_AUTH_FAILURE_LIMIT, "failed authentications");
        authFailureWindow = positive(s, AUTH_FAILURE_WINDOW, DEFAULT_AUTH_FAILURE_WINDOW);
        authFailureBan = positive(s, AUTH_FAILURE_BAN, DEFAULT_AUTH_FAILURE_BAN);
        authFailureMaxBan = positive(s, AUTH_FAILURE_MAX_BAN,
                authFailureBan.compareTo(DEFAULT_AUTH_FAILURE_MAX_BAN) > 0 ? authFailureBan : DEFAULT_AUTH_FAILURE_MAX_BAN);
        if (authFailureMaxBan.compareTo(authFailureBan) < 0) {
            throw s.malformed(AUTH_FAILURE_MAX_BAN, s.string(AUTH_FAILURE_MAX_BAN, ""), "a duration of at least "
                    + AUTH_FAILURE_BAN + " (" + authFailureBan + "); repeated bans grow up to it");
        }
        authFailureTrackedIps = s.integer(AUTH_FAILURE_TRACKED_IPS, DEFAULT_AUTH_FAILURE_TRACKED_IPS);
        if (authFailureTrackedIps < 1) {
            throw s.malformed(AUTH_FAILURE_TRACKED_IPS, s.string(AUTH_FAILURE_TRACKED_IPS, ""),
                    "a positive number of addresses such as " + DEFAULT_AUTH_FAILURE_TRACKED_IPS
                            + " (to turn bans off, set " + AUTH_FAILURE_LIMIT + " to 0)");
        }
    }

    /**
     * Reads and checks the edge settings; the caller has rejected unknown keys.
     *
     * @param s        the transport's settings
     * @param frameKey the transport's key of its largest inbound frame, for the message when
     *                 {@code rate-limit-bytes-burst} is smaller
     * @param maxFrame the largest inbound frame in bytes
     * @return the settings
     * @throws ConfigurationException naming the setting and the fix
     */
    public static EdgeSettings parse(Settings s, String frameKey, long maxFrame) {
        return new EdgeSettings(s, frameKey, maxFrame);
    }

    private static int notNegative(Settings s, String key, int defaultValue, String what) {
        int v = s.integer(key, defaultValue);
        if (v < 0) {
            throw s.malformed(key, s.string(key, ""), "a number of " + what + " such as " + defaultValue + ", or 0 for no limit");
        }
        return v;
    }

    private static Duration positive(Settings s, String key, Duration defaultValue) {
        Duration d = s.duration(key, defaultValue);
        if (d.isZero() || d.isNegative()) {
            throw s.malformed(key, s.string(key, ""), "a positive duration such as " + defaultValue.toSeconds() + "s");
        }
        return d;
    }

    /** @return {@code max-connections}; 0 = no limit */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return {@code max-connections-per-ip}; 0 = no limit */
    public int maxConnectionsPerIp() {
        return maxConnectionsPerIp;
    }

    /** @return {@code max-unauthenticated-per-ip}; 0 = no limit */
    public int maxUnauthenticatedPerIp() {
        return maxUnauthenticatedPerIp;
    }

    /** @return {@code rate-limit-frames-per-second}; 0 = off */
    public int framesPerSecond() {
        return framesPerSecond;
    }

    /** @return {@code rate-limit-frames-burst} */
    public int framesBurst() {
        return framesBurst;
    }

    /** @return {@code rate-limit-bytes-per-second}; 0 = off */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** @return {@code rate-limit-bytes-burst} */
    public long bytesBurst() {
        return bytesBurst;
    }

    /** @return {@code auth-failure-limit}; 0 = no bans */
    public int authFailureLimit() {
        return authFailureLimit;
    }

    /** @return {@code auth-failure-window} */
    public Duration authFailureWindow() {
        return authFailureWindow;
    }

    /** @return {@code auth-failure-ban}: the first ban */
    public Duration authFailureBan() {
        return authFailureBan;
    }

    /** @return {@code auth-failure-max-ban}: the longest ban */
    public Duration authFailureMaxBan() {
        return authFailureMaxBan;
    }

    /** @return {@code auth-failure-tracked-ips} */
    public int authFailureTrackedIps() {
        return authFailureTrackedIps;
    }

    /** @return the connection counters and the ban table of one transport; thread-safe */
    public EdgeGuard newGuard() {
        return new EdgeGuard(this, System::nanoTime);
    }

    /**
     * @return the inbound rate limit of one new connection, or null when both rates are off (the
     *         transport then checks nothing per frame)
     */
    public InboundRate newInboundRate() {
        if (framesPerSecond == 0 && bytesPerSecond == 0) {
            return null;
        }
        return new InboundRate(framesPerSecond, framesBurst, bytesPerSecond, bytesBurst);
    }

    /** @return a one-line summary for the transport's start log */
    public String describe() {
        return "max-connections " + off(maxConnections) + ", per ip " + off(maxConnectionsPerIp) + " (unauthenticated "
                + off(maxUnauthenticatedPerIp) + "), rate limit " + (framesPerSecond == 0 ? "off" : framesPerSecond + " frames/s")
                + " and " + (bytesPerSecond == 0 ? "off" : bytesPerSecond + " bytes/s") + ", auth-failure bans "
                + (authFailureLimit == 0 ? "off" : "after " + authFailureLimit + " in " + authFailureWindow);
    }

    /** @return the per-connection rate limits, for the log line of a connection closed for passing them */
    public String describeRateLimit() {
        return RATE_LIMIT_FRAMES_PER_SECOND + " " + framesPerSecond + " (burst " + framesBurst + "), "
                + RATE_LIMIT_BYTES_PER_SECOND + " " + bytesPerSecond + " (burst " + bytesBurst + ")";
    }

    private static String off(int limit) {
        return limit == 0 ? "off" : String.valueOf(limit);
    }
}
