package dev.tok.testkit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The connection limits, inbound rate limits and auth-failure ban that
 * {@link TransportCompatibilityKit}'s edge cases ask a transport for, independent of how the
 * transport names them. A value of 0 means off; {@link #none()} has every limit off, and each
 * case turns on the one it checks. A transport that has these limits overrides
 * {@link TransportCompatibilityKit#addTransport(dev.tok.api.TokServer.Builder, TransportLimits, EdgeLimits)};
 * the built-in transports pass {@link #settings()}, written in their shared vocabulary.
 *
 * @param maxConnectionsPerIp     open connections from one IP address; one more is refused
 *                                before authentication
 * @param maxUnauthenticatedPerIp connections from one IP address that have not authenticated
 *                                yet; one more is refused before authentication
 * @param framesPerSecond         inbound frames per second and connection (token bucket); a
 *                                connection over it is closed with {@code RATE_LIMITED}
 * @param framesBurst             frames a connection may send at once
 * @param bytesPerSecond          inbound payload bytes per second and connection
 * @param bytesBurst              payload bytes a connection may send at once; at least the
 *                                kit's largest frame when {@code bytesPerSecond} is on
 * @param authFailureLimit        failed authentications from one IP address within
 *                                {@code authFailureWindow} that ban the address
 * @param authFailureWindow       the window; not null
 * @param authFailureBan          how long the (first) ban lasts; not null
 * @since 0.1
 */
public record EdgeLimits(int maxConnectionsPerIp, int maxUnauthenticatedPerIp, int framesPerSecond, int framesBurst,
        long bytesPerSecond, long bytesBurst, int authFailureLimit, Duration authFailureWindow, Duration authFailureBan) {

    private static final EdgeLimits NONE = new EdgeLimits(0, 0, 0, 1, 0, 1, 0, Duration.ofMinutes(1), Duration.ofMinutes(1));

    /** Validates the components. */
    public EdgeLimits {
        Objects.requireNonNull(authFailureWindow, "authFailureWindow");
        Objects.requireNonNull(authFailureBan, "authFailureBan");
        if (maxConnectionsPerIp < 0 || maxUnauthenticatedPerIp < 0 || framesPerSecond < 0 || bytesPerSecond < 0
                || authFailureLimit < 0) {
            throw new IllegalArgumentException("limits are 0 (off) or positive: " + this);
        }
        if (framesBurst < 1 || bytesBurst < 1) {
            throw new IllegalArgumentException("bursts are at least 1: " + this);
        }
    }

    /** @return every limit off (0); the kit turns on one per case */
    public static EdgeLimits none() {
        return NONE;
    }

    /**
     * @param max open connections per IP address
     * @return a copy with {@code maxConnectionsPerIp} set
     */
    public EdgeLimits withMaxConnectionsPerIp(int max) {
        return new EdgeLimits(max, maxUnauthenticatedPerIp, framesPerSecond, framesBurst, bytesPerSecond, bytesBurst,
                authFailureLimit, authFailureWindow, authFailureBan);
    }

    /**
     * @param max unauthenticated connections per IP address
     * @return a copy with {@code maxUnauthenticatedPerIp} set
     */
    public EdgeLimits withMaxUnauthenticatedPerIp(int max) {
        return new EdgeLimits(maxConnectionsPerIp, max, framesPerSecond, framesBurst, bytesPerSecond, bytesBurst,
                authFailureLimit, authFailureWindow, authFailureBan);
    }

    /**
     * @param perSecond frames per second
     * @param burst     frames at once
     * @return a copy with the frame rate set
     */
    public EdgeLimits withFrameRate(int perSecond, int burst) {
        return new EdgeLimits(maxConnectionsPerIp, maxUnauthenticatedPerIp, perSecond, burst, bytesPerSecond, bytesBurst,
                authFailureLimit, authFailureWindow, authFailureBan);
    }

    /**
     * @param perSecond payload bytes per second
     * @param burst     payload bytes at once
     * @return a copy with the byte rate set
     */
    public EdgeLimits withByteRate(long perSecond, long burst) {
        return new EdgeLimits(maxConnectionsPerIp, maxUnauthenticatedPerIp, framesPerSecond, framesBurst, perSecond, burst,
                authFailureLimit, authFailureWindow, authFailureBan);
    }

    /**
     * @param limit  failed authentications that ban an address
     * @param window the window they are counted in; not null
     * @param ban    the first ban; not null
     * @return a copy with the auth-failure ban set
     */
    public EdgeLimits withAuthFailureBan(int limit, Duration window, Duration ban) {
        return new EdgeLimits(maxConnectionsPerIp, maxUnauthenticatedPerIp, framesPerSecond, framesBurst, bytesPerSecond,
                bytesBurst, limit, window, ban);
    }

    /**
     * @return these limits as the settings of tok's built-in transports ({@code tcp},
     *         {@code jetty-ws}, {@code netty-ws}): {@code max-connections-per-ip},
     *         {@code max-unauthenticated-per-ip}, {@code rate-limit-frames-per-second},
     *         {@code rate-limit-frames-burst}, {@code rate-limit-bytes-per-second},
     *         {@code rate-limit-bytes-burst}, {@code auth-failure-limit},
     *         {@code auth-failure-window}, {@code auth-failure-ban} (and {@code auth-failure-max-ban},
     *         at least the ban); a new map in that order
     */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("max-connections-per-ip", String.valueOf(maxConnectionsPerIp));
        m.put("max-unauthenticated-per-ip", String.valueOf(maxUnauthenticatedPerIp));
        m.put("rate-limit-frames-per-second", String.valueOf(framesPerSecond));
        m.put("rate-limit-frames-burst", String.valueOf(framesBurst));
        m.put("rate-limit-bytes-per-second", String.valueOf(bytesPerSecond));
        if (bytesPerSecond > 0) {
            m.put("rate-limit-bytes-burst", String.valueOf(bytesBurst));
        }
        m.put("auth-failure-limit", String.valueOf(authFailureLimit));
        m.put("auth-failure-window", authFailureWindow.toMillis() + "ms");
        m.put("auth-failure-ban", authFailureBan.toMillis() + "ms");
        Duration maxBan = authFailureBan.compareTo(Duration.ofHours(1)) > 0 ? authFailureBan : Duration.ofHours(1);
        m.put("auth-failure-max-ban", maxBan.toMillis() + "ms");
        return m;
    }
}
