package dev.tok.transport.support;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The tiered ban of IP addresses after failed authentications (in the manner of Turms and
 * t-io): {@code limit} failures within {@code window} ban the address for {@code ban}; each
 * further ban of the same address lasts twice the one before, up to {@code maxBan}. An address
 * with no failure and no ban for {@code maxBan} is forgotten, so its next ban starts short again.
 *
 * <p>In memory and bounded: at most {@code trackedIps} addresses. A failure from a new address
 * when the table is full first drops forgotten addresses, then addresses that are only counting
 * failures (not banned); if every entry is a running ban, the new address is not tracked until one
 * expires. Thread-safe: {@link #banned} (every new connection) reads one volatile field without a
 * lock; {@link #failed} (every failed authentication) locks the address's own entry.
 */
final class AuthFailureBans {

    private final int limit;
    private final long windowNanos;
    private final long banNanos;
    private final long maxBanNanos;
    private final int trackedIps;
    private final LongSupplier clock;
    private final ConcurrentHashMap<InetAddress, Entry> entries = new ConcurrentHashMap<>();

    AuthFailureBans(int limit, long windowNanos, long banNanos, long maxBanNanos, int trackedIps, LongSupplier clock) {
        this.limit = limit;
        this.windowNanos = windowNanos;
        this.banNanos = banNanos;
        this.maxBanNanos = maxBanNanos;
        this.trackedIps = trackedIps;
        this.clock = clock;
    }

    /**
     * @param ip the peer's address
     * @return nanoseconds the address stays banned; 0 when it is not banned
     */
    long banned(InetAddress ip) {
        Entry e = entries.get(ip);
        if (e == null) {
            return 0;
        }
        long left = e.bannedUntil - clock.getAsLong();
        return left > 0 ? left : 0;
    }

    /**
     * Counts a failed authentication.
     *
     * @param ip the peer's address
     * @return the length in nanoseconds of the ban this failure started; 0 when it started none
     */
    long failed(InetAddress ip) {
        long now = clock.getAsLong();
        Entry e = entries.get(ip);
        if (e == null) {
            if (entries.size() >= trackedIps && !makeRoom(now)) {
                return 0;
            }
            e = entries.computeIfAbsent(ip, k -> new Entry(now));
        }
        synchronized (e) {
            if (e.bannedUntil - now > 0) {
                return 0; // banned already: a connection admitted just before the ban
            }
            if (now - e.windowStart > windowNanos) {
                e.windowStart = now;
                e.failures = 0;
            }
            e.last = now;
            if (++e.failures < limit) {
                return 0;
            }
            e.failures = 0;
            long ban = banNanos;
            for (int i = 0; i < e.strikes && ban < maxBanNanos; i++) {
                ban *= 2;
            }
            ban = Math.min(ban, maxBanNanos);
            e.strikes++;
            e.last = now + ban;
            e.bannedUntil = now + ban;
            return ban;
        }
    }

    /** @return true when there is room for one more address; called when the table is full */
    private boolean makeRoom(long now) {
        Iterator<Map.Entry<InetAddress, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().forgotten(now, maxBanNanos)) {
                it.remove();
            }
        }
        if (entries.size() < trackedIps) {
            return true;
        }
        int drop = Math.max(1, trackedIps / 8);
        it = entries.entrySet().iterator();
        while (it.hasNext() && drop > 0) {
            if (it.next().getValue().bannedUntil - now <= 0) {
                it.remove();
                drop--;
            }
        }
        return entries.size() < trackedIps;
    }

    /** @return how many addresses are tracked; for tests */
    int size() {
        return entries.size();
    }

    /** The failures and bans of one address; fields guarded by the entry's monitor except {@link #bannedUntil}. */
    private static final class Entry {
        volatile long bannedUntil;
        long windowStart;
        long last;
        int failures;
        int strikes;

        Entry(long now) {
            windowStart = now;
            last = now;
            bannedUntil = now;
        }

        synchronized boolean forgotten(long now, long quietNanos) {
            return bannedUntil - now <= 0 && now - last > quietNanos;
        }
    }
}
