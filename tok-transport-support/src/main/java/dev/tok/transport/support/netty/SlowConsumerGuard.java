package dev.tok.transport.support.netty;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The slow-consumer rules of the Netty transports ({@code tcp} and {@code netty-ws}), one per
 * connection: the write timeout (the channel stays above its high-water mark, that is not
 * {@link Channel#isWritable() writable}, for longer than the write timeout) and the
 * {@code max-pending-bytes} cap (a write that would make the unwritten bytes exceed the cap).
 * Either one reports the connection to its {@link SlowConsumer} callback, which closes it with
 * {@code CloseReason.SLOW_CONSUMER} and so fails every pending write.
 *
 * <p>The transport counts its unwritten bytes here: {@link #reserve} before it hands a frame to
 * Netty (any thread), {@link #release} once Netty's write future completed or the frame was
 * dropped (any thread). It forwards {@code channelWritabilityChanged} to
 * {@link #writabilityChanged()} and {@code channelInactive} to {@link #stop()} (event loop).
 * Nothing here allocates per frame, blocks or takes a lock, and an idle connection's guard is one
 * small object (the counter is a field, the timer's task is created when the timer starts).
 */
public final class SlowConsumerGuard {

    /** What the guard reports. */
    @FunctionalInterface
    public interface SlowConsumer {
        /**
         * The connection is a slow consumer: close it with {@code CloseReason.SLOW_CONSUMER}.
         * Called on the event loop for the write timeout and on the writing thread (any thread)
         * for the cap; must not block. May be called more than once for one connection.
         *
         * @param why what was exceeded, for logs and failure messages, such as
         *            "max-pending-bytes 4194304 exceeded"; not null
         */
        void slowConsumer(String why);
    }

    private final Channel channel;
    private final long highWaterMark;
    private final long maxPendingBytes;
    private final long writeTimeoutNanos;
    private final SlowConsumer listener;
    private static final AtomicLongFieldUpdater<SlowConsumerGuard> PENDING =
            AtomicLongFieldUpdater.newUpdater(SlowConsumerGuard.class, "pending");
    private volatile long pending;
    // event loop only
    private ScheduledFuture<?> timer;
    private boolean stopped;

    /**
     * @param channel           the connection's channel, its write-buffer water marks set from the
     *                          high-water mark; not null
     * @param highWaterMark     the channel's high-water mark in bytes, for messages
     * @param maxPendingBytes   the cap on unwritten bytes; at least 1
     * @param writeTimeoutNanos how long the channel may stay above the high-water mark; positive
     * @param listener          told when the connection is too slow; not null
     */
    public SlowConsumerGuard(Channel channel, long highWaterMark, long maxPendingBytes, long writeTimeoutNanos,
            SlowConsumer listener) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (maxPendingBytes < 1 || writeTimeoutNanos < 1) {
            throw new IllegalArgumentException("maxPendingBytes and writeTimeoutNanos must be positive");
        }
        this.highWaterMark = highWaterMark;
        this.maxPendingBytes = maxPendingBytes;
        this.writeTimeoutNanos = writeTimeoutNanos;
    }

    /**
     * Counts {@code bytes} more as unwritten, unless that passes the cap: then nothing is counted
     * and the {@link SlowConsumer} is told (on this thread) before this returns false. A single
     * frame larger than the cap is let through while nothing else waits. Any thread.
     *
     * @param bytes the size of one frame as written
     * @return true if the frame may be written; false if it must fail (the connection is closing)
     */
    public boolean reserve(long bytes) {
        long before = PENDING.getAndAdd(this, bytes);
        if (before > 0 && before + bytes > maxPendingBytes) {
            PENDING.addAndGet(this, -bytes);
            listener.slowConsumer("max-pending-bytes " + maxPendingBytes + " exceeded: " + before
                    + " bytes waiting, another " + bytes + " would pass it");
            return false;
        }
        return true;
    }

    /**
     * Counts {@code bytes} as no longer unwritten: written, failed or dropped. Any thread.
     *
     * @param bytes what {@link #reserve} counted for the frame
     */
    public void release(long bytes) {
        PENDING.addAndGet(this, -bytes);
    }

    /** @return the bytes reserved and not yet released; any thread */
    public long pendingBytes() {
        return pending;
    }

    /** @return the cap on unwritten bytes */
    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    /**
     * Starts the write timeout when the channel became unwritable, cancels it when it became
     * writable again. Event loop: call from {@code channelWritabilityChanged}.
     */
    public void writabilityChanged() {
        if (!channel.isWritable()) {
            if (timer == null && !stopped && channel.isActive()) {
                timer = channel.eventLoop().schedule(this::check, writeTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        } else if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        timer = null;
        if (!stopped && !channel.isWritable() && channel.isActive()) {
            listener.slowConsumer(pending + " bytes waiting, above high-water-mark " + highWaterMark
                    + " for longer than write-timeout " + TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos) + " ms");
        }
    }

    /** Cancels the write timeout for good. Event loop: call from {@code channelInactive}. */
    public void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
