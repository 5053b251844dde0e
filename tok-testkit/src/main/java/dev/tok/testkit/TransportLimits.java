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
 * @param maxPendingBytes the most outbound bytes a connection may hold unwritten: a write that
 *                        would pass it closes the connection as a slow consumer at once, whatever
 *                        the write timeout ({@code max-pending-bytes} in the built-in transports);
 *                        at least {@code highWaterMark}
 * @since 0.1
 */
public record TransportLimits(int maxFrameSize, long highWaterMark, Duration stopGracePeriod, long maxPendingBytes) {

    /** What the kit asks for unless a subclass overrides {@link TransportCompatibilityKit#limits()}. */
    public static final TransportLimits DEFAULT = new TransportLimits(64 * 1024, 64 * 1024, Duration.ofSeconds(1), 1024 * 1024);

    /**
     * Limits with {@code maxPendingBytes} 16 times the high-water mark: room for the kit's bursts
     * of frames sent faster than the transport writes them.
     *
     * @param maxFrameSize    the largest inbound payload the transport must accept
     * @param highWaterMark   outbound bytes a connection may hold before the write timeout runs
     * @param stopGracePeriod how long {@code Transport.stop()} may let connections flush; not null
     */
    public TransportLimits(int maxFrameSize, long highWaterMark, Duration stopGracePeriod) {
        this(maxFrameSize, highWaterMark, stopGracePeriod, Math.multiplyExact(highWaterMark, 16L));
    }

    /** Validates the components. */
    public TransportLimits {
        if (maxFrameSize < 16) {
            throw new IllegalArgumentException("maxFrameSize must be at least 16, is " + maxFrameSize);
        }
        if (highWaterMark <= 0) {
            throw new IllegalArgumentException("highWaterMark must be positive, is " + highWaterMark);
        }
        Objects.requireNonNull(stopGracePeriod, "stopGracePeriod");
        if (maxPendingBytes < highWaterMark) {
            throw new IllegalArgumentException("maxPendingBytes must be at least highWaterMark " + highWaterMark + ", is "
                    + maxPendingBytes);
        }
    }
}
