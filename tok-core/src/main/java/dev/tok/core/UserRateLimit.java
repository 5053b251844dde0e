package dev.tok.core;

import dev.tok.api.HubConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The inbound rate limit of each user across all of the user's connections and transports
 * ({@code user-rate-limit-*} of {@link HubConfig}): frames and payload bytes per second, each with
 * a burst. The hub is the one place that knows the uid of every frame, whichever transport
 * carried it, so the limit is judged here; the transports limit each connection on their own.
 *
 * <p>Each user has two buckets kept as a generic cell rate algorithm: one {@link AtomicLong} per
 * bucket holds the theoretical arrival time, and a frame passes when taking its cost keeps that
 * time within the burst of now. Lock-free; the user's connections on different I/O threads
 * contend only on that user's atomics; no allocation per frame (one entry per user who sent
 * lately). A bucket whose time has passed is full, the same as none: entries idle that long are
 * dropped at most once a second, when a new user arrives, so the map holds only users that sent
 * frames within about their burst.
 */
final class UserRateLimit {

    private static final long PRUNE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final double NANOS_PER_SECOND = 1e9;

    /** Nanoseconds per frame; 0 = off. */
    private final long frameCost;
    private final long frameTolerance;
    /** Nanoseconds per payload byte; 0 = off. */
    private final double byteCost;
    private final long byteTolerance;
    private final ConcurrentHashMap<String, Buckets> users = new ConcurrentHashMap<>();
    private final AtomicLong lastPrune = new AtomicLong(System.nanoTime());

    private UserRateLimit(HubConfig config) {
        int frames = config.userRateLimitFramesPerSecond();
        long bytes = config.userRateLimitBytesPerSecond();
        this.frameCost = frames == 0 ? 0 : Math.max(1, Math.round(NANOS_PER_SECOND / frames));
        this.frameTolerance = frameCost * (long) config.userRateLimitFramesBurst();
        this.byteCost = bytes == 0 ? 0 : NANOS_PER_SECOND / bytes;
        this.byteTolerance = (long) Math.min(Long.MAX_VALUE / 4, byteCost * config.userRateLimitBytesBurst());
    }

    /**
     * @param config the hub's configuration
     * @return the limit, or null when both per-user rates are off (the hub then checks nothing)
     */
    static UserRateLimit of(HubConfig config) {
        if (config.userRateLimitFramesPerSecond() == 0 && config.userRateLimitBytesPerSecond() == 0) {
            return null;
        }
        return new UserRateLimit(config);
    }

    /**
     * Takes one frame of the user's from the buckets. Any thread.
     *
     * @param uid    the sending user
     * @param length the frame's payload length
     * @return true if it is within the user's limit; false if the user exceeded it
     */
    boolean tryAcquire(String uid, int length) {
        long now = System.nanoTime();
        Buckets b = users.get(uid);
        if (b == null) {
            prune(now);
            b = users.computeIfAbsent(uid, k -> new Buckets(now));
        }
        if (frameCost > 0 && !take(b.frames, frameCost, frameTolerance, now)) {
            return false;
        }
        if (byteCost > 0) {
            long cost = (long) Math.min(Long.MAX_VALUE / 4, length * byteCost);
            if (!take(b.bytes, cost, byteTolerance, now)) {
                if (frameCost > 0) {
                    b.frames.addAndGet(-frameCost); // the frame did not pass: give its frame back
                }
                return false;
            }
        }
        return true;
    }

    private static boolean take(AtomicLong arrival, long cost, long tolerance, long now) {
        while (true) {
            long tat = arrival.get();
            long next = (tat - now < 0 ? now : tat) + cost;
            if (next - now > tolerance) {
                return false;
            }
            if (arrival.compareAndSet(tat, next)) {
                return true;
            }
        }
    }

    /** Drops users whose buckets are full again, at most once per {@link #PRUNE_INTERVAL_NANOS}. */
    private void prune(long now) {
        long last = lastPrune.get();
        if (now - last < PRUNE_INTERVAL_NANOS || !lastPrune.compareAndSet(last, now)) {
            return;
        }
        users.values().removeIf(b -> b.frames.get() - now <= 0 && b.bytes.get() - now <= 0);
    }

    /** @return how many users have buckets; for tests */
    int trackedUsers() {
        return users.size();
    }

    /** The theoretical arrival times of one user's two buckets. */
    private static final class Buckets {
        final AtomicLong frames;
        final AtomicLong bytes;

        Buckets(long now) {
            frames = new AtomicLong(now);
            bytes = new AtomicLong(now);
        }
    }
}
