package dev.tok.transport.support;

import dev.tok.api.AuthenticationException;
import dev.tok.api.CloseReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The admission control of one transport: counts its open connections in total and per IP
 * address (and, per address, those not authenticated yet), refuses a connection beyond
 * {@code max-connections}, {@code max-connections-per-ip} or {@code max-unauthenticated-per-ip},
 * and refuses addresses banned after failed authentications ({@link AuthFailureBans}).
 *
 * <p>A transport asks {@link #admit} as early as it can (TCP: at accept; WebSocket: when the
 * upgrade request has arrived, before authentication), before it allocates anything for the
 * connection; a refusal is a shared constant. An admitted connection holds a {@link Ticket} that
 * it marks {@linkplain Ticket#authenticated() authenticated} once registered and
 * {@linkplain Ticket#release() releases} when it closes, whatever the path.
 *
 * <p>Thread-safe. The per-address counters live in a {@link ConcurrentHashMap} with an entry only
 * while the address has open connections, so the map never holds more entries than there are open
 * connections. Admission and release update an entry atomically (per key, not a lock shared by
 * every connection); nothing here runs per frame.
 */
public final class EdgeGuard {

    /** Why {@link #admit} refused a connection. */
    public enum Refusal {
        /** {@code max-connections} reached. */
        MAX_CONNECTIONS(EdgeSettings.MAX_CONNECTIONS, CloseReason.CONNECTION_LIMIT),
        /** {@code max-connections-per-ip} reached for the peer's address. */
        MAX_CONNECTIONS_PER_IP(EdgeSettings.MAX_CONNECTIONS_PER_IP, CloseReason.CONNECTION_LIMIT),
        /** {@code max-unauthenticated-per-ip} reached for the peer's address. */
        MAX_UNAUTHENTICATED_PER_IP(EdgeSettings.MAX_UNAUTHENTICATED_PER_IP, CloseReason.CONNECTION_LIMIT),
        /** The peer's address is banned after failed authentications. */
        BANNED(EdgeSettings.AUTH_FAILURE_LIMIT, CloseReason.BANNED);

        private final String setting;
        private final CloseReason reason;
        private final Ticket ticket;

        Refusal(String setting, CloseReason reason) {
            this.setting = setting;
            this.reason = reason;
            this.ticket = new Ticket(null, null, this);
        }

        /** @return the setting that refused it, for the log */
        public String setting() {
            return setting;
        }

        /** @return the close reason for the log and for a transport that answers with one */
        public CloseReason reason() {
            return reason;
        }

        /** @return the HTTP status a WebSocket transport answers instead of upgrading: 503 */
        public int httpStatus() {
            return 503;
        }
    }

    /** How often at most a refusal is worth a WARN line (the others are DEBUG). */
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final EdgeSettings settings;
    private final LongSupplier clock;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, PerIp> perIp = new ConcurrentHashMap<>();
    private final AuthFailureBans bans;
    private final AtomicLong lastWarn = new AtomicLong();
    private final boolean countPerIp;

    EdgeGuard(EdgeSettings settings, LongSupplier clock) {
        this.settings = settings;
        this.clock = clock;
        this.countPerIp = settings.maxConnectionsPerIp() > 0 || settings.maxUnauthenticatedPerIp() > 0;
        this.bans = settings.authFailureLimit() == 0 ? null
                : new AuthFailureBans(settings.authFailureLimit(), settings.authFailureWindow().toNanos(),
                        settings.authFailureBan().toNanos(), settings.authFailureMaxBan().toNanos(),
                        settings.authFailureTrackedIps(), clock);
        this.lastWarn.set(clock.getAsLong() - WARN_INTERVAL_NANOS);
    }

    /** @return the settings */
    public EdgeSettings settings() {
        return settings;
    }

    /**
     * Admits a new connection or refuses it. Any thread.
     *
     * @param remote the peer's address; per-address limits apply to an {@link InetSocketAddress} only
     * @return the admitted connection's ticket, or a refused one ({@link Ticket#refusal()} not null)
     */
    public Ticket admit(SocketAddress remote) {
        InetAddress ip = ip(remote);
        if (bans != null && ip != null && bans.banned(ip) > 0) {
            return Refusal.BANNED.ticket;
        }
        int max = settings.maxConnections();
        if (open.incrementAndGet() > max && max > 0) {
            open.decrementAndGet();
            return Refusal.MAX_CONNECTIONS.ticket;
        }
        if (ip == null || !countPerIp) {
            return new Ticket(this, null, null);
        }
        Refusal[] verdict = new Refusal[1];
        perIp.compute(ip, (k, c) -> {
            PerIp n = c == null ? new PerIp() : c;
            if (settings.maxConnectionsPerIp() > 0 && n.open >= settings.maxConnectionsPerIp()) {
                verdict[0] = Refusal.MAX_CONNECTIONS_PER_IP;
            } else if (settings.maxUnauthenticatedPerIp() > 0 && n.unauthenticated >= settings.maxUnauthenticatedPerIp()) {
                verdict[0] = Refusal.MAX_UNAUTHENTICATED_PER_IP;
            } else {
                n.open++;
                n.unauthenticated++;
            }
            return n.open == 0 ? null : n;
        });
        if (verdict[0] != null) {
            open.decrementAndGet();
            return verdict[0].ticket;
        }
        return new Ticket(this, ip, null);
    }

    /**
     * Counts an authentication that failed, if it was the authenticator's rejection (an
     * {@link AuthenticationException}; timeouts, a closed hub and other failures do not count).
     * Any thread.
     *
     * @param remote  the peer's address
     * @param failure why authentication failed, possibly wrapped in a {@link CompletionException}
     * @return the length in milliseconds of the ban this failure started; 0 for none
     */
    public long authenticationFailed(SocketAddress remote, Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        InetAddress ip = ip(remote);
        if (bans == null || ip == null || !(cause instanceof AuthenticationException)) {
            return 0;
        }
        return TimeUnit.NANOSECONDS.toMillis(bans.failed(ip));
    }

    /**
     * @return true at most once every ten seconds: whether a refusal should be logged at WARN
     *         (the others at DEBUG), so that a flood does not flood the log
     */
    public boolean warnNow() {
        long now = clock.getAsLong();
        long last = lastWarn.get();
        return now - last >= WARN_INTERVAL_NANOS && lastWarn.compareAndSet(last, now);
    }

    /**
     * @param refusal why a connection was refused
     * @param remote  the refused peer
     * @return a sentence for the transport's log naming the limit, its value and the peer, such as
     *         {@code max-connections-per-ip (256) reached for 10.0.0.7}
     */
    public String describe(Refusal refusal, SocketAddress remote) {
        InetAddress ip = ip(remote);
        String who = ip == null ? String.valueOf(remote) : ip.getHostAddress();
        switch (refusal) {
            case MAX_CONNECTIONS:
                return "max-connections (" + settings.maxConnections() + ") reached; refused " + who;
            case MAX_CONNECTIONS_PER_IP:
                return "max-connections-per-ip (" + settings.maxConnectionsPerIp() + ") reached for " + who;
            case MAX_UNAUTHENTICATED_PER_IP:
                return "max-unauthenticated-per-ip (" + settings.maxUnauthenticatedPerIp() + ") reached for " + who;
            default:
                long left = bans == null || ip == null ? 0 : TimeUnit.NANOSECONDS.toMillis(bans.banned(ip));
                return who + " is banned for another " + left + " ms after " + settings.authFailureLimit()
                        + " failed authentications (auth-failure-limit)";
        }
    }

    /** @return open connections admitted and not released; for tests and logs */
    public int openConnections() {
        return open.get();
    }

    /**
     * @param ip an address
     * @return its open connections and, of those, the unauthenticated ones; {0, 0} when it has none
     */
    int[] counts(InetAddress ip) {
        int[] counts = new int[2];
        perIp.computeIfPresent(ip, (k, c) -> {
            counts[0] = c.open;
            counts[1] = c.unauthenticated;
            return c;
        });
        return counts;
    }

    /** @return how many addresses have open connections; for tests */
    int trackedAddresses() {
        return perIp.size();
    }

    private static InetAddress ip(SocketAddress remote) {
        if (remote instanceof InetSocketAddress) {
            return ((InetSocketAddress) remote).getAddress();
        }
        return null;
    }

    private void authenticated(InetAddress ip) {
        if (ip != null) {
            perIp.computeIfPresent(ip, (k, c) -> {
                c.unauthenticated--;
                return c;
            });
        }
    }

    private void released(InetAddress ip, boolean authenticated) {
        open.decrementAndGet();
        if (ip != null) {
            perIp.computeIfPresent(ip, (k, c) -> {
                c.open--;
                if (!authenticated) {
                    c.unauthenticated--;
                }
                return c.open == 0 ? null : c;
            });
        }
    }

    /** The counters of one address; changed only inside the map's atomic compute of its key. */
    private static final class PerIp {
        int open;
        int unauthenticated;
    }

    /**
     * One admitted connection's place in the counters, or a refusal. Any thread; both methods are
     * idempotent.
     */
    public static final class Ticket {
        private static final int AUTHENTICATED = 1;
        private static final int RELEASED = 2;
        private static final AtomicIntegerFieldUpdater<Ticket> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Ticket.class, "state");

        private final EdgeGuard guard;
        private final InetAddress ip;
        private final Refusal refusal;
        private volatile int state;

        Ticket(EdgeGuard guard, InetAddress ip, Refusal refusal) {
            this.guard = guard;
            this.ip = ip;
            this.refusal = refusal;
        }

        /** @return why the connection was refused; null when it was admitted */
        public Refusal refusal() {
            return refusal;
        }

        /** The connection authenticated: it no longer counts towards {@code max-unauthenticated-per-ip}. */
        public void authenticated() {
            if (guard == null) {
                return;
            }
            int s;
            do {
                s = state;
                if (s != 0) {
                    return;
                }
            } while (!STATE.compareAndSet(this, s, AUTHENTICATED));
            guard.authenticated(ip);
        }

        /** The connection closed: it no longer counts. */
        public void release() {
            if (guard == null) {
                return;
            }
            int s;
            do {
                s = state;
                if ((s & RELEASED) != 0) {
                    return;
                }
            } while (!STATE.compareAndSet(this, s, s | RELEASED));
            guard.released(ip, (s & AUTHENTICATED) != 0);
        }
    }
}
