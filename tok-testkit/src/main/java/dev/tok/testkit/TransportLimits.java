package dev.tok.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * The transport settings {@link TransportCompatibilityKit} needs, independent of how a transport
 * names them. The kit's subclass translates them into the transport's own settings.
 *
 * @param maxFrameSize    the largest inbound payload the transport must accept; one byte more
 *                        must close the connection
 * @param highWaterMark   outbound bytes a connection may hold unwritten before the hub's write
 *                        timeout starts to run for it
 * @param stopGracePeriod how long {@code Transport.stop()} may let connections flush before it
 *                        closes them regardless
 * @since 0.1
 */
public record TransportLimits(int maxFrameSize, long highWaterMark, Duration stopGracePeriod) {

    /** What the kit asks for unless a subclass overrides {@link TransportCompatibilityKit#limits()}. */
    public static final TransportLimits DEFAULT = new TransportLimits(64 * 1024, 64 * 1024, Duration.ofSeconds(1));

    /** Validates the components. */
    public TransportLimits {
        if (maxFrameSize < 16) {
            throw new IllegalArgumentException("maxFrameSize must be at least 16, is " + maxFrameSize);
        }
        if (highWaterMark <= 0) {
            throw new IllegalArgumentException("highWaterMark must be positive, is " + highWaterMark);
        }
        Objects.requireNonNull(stopGracePeriod, "stopGracePeriod");
    }
}
