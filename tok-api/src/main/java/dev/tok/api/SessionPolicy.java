package dev.tok.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Decides, when a connection of a user registers (logs in), which of the user's connections it
 * replaces, or whether it is refused: single sign-on, connections shared by every device, or one
 * connection per kind of device (one phone and one desktop, as Turms does).
 *
 * <p>The hub closes every connection the policy returns as single sign-on closes it: the
 * {@link ByeGenerator}'s payload (reason {@value ByeGenerator#REASON_SSO}) is written first, then the
 * connection is closed with {@link CloseReason#SSO_REPLACED}. Whatever the policy returns, the hub
 * never closes a connection that shares the new one's underlying connection
 * ({@link dev.tok.api.spi.ConAdapter#sharesConnectionWith}). To refuse the new connection, throw
 * {@link ConnectionLimitException}: its transport closes it with
 * {@link CloseReason#CONNECTION_LIMIT}, and the user's connections stay as they are. Any other
 * exception refuses the new connection as well, and is logged as a bug.
 *
 * <p><b>Contract.</b> A pure function of its arguments: it must not block, must not call the hub
 * or any {@link ConnectionContext} method but the accessors ({@code device()},
 * {@code transport()}, {@code remoteAddress()}, {@code connectedAt()}, {@code attribute(..)}),
 * and must not keep state. The hub calls it without holding a lock, on the thread registering the
 * connection (a transport's I/O thread), and calls it again when the user's connections changed
 * before its decision could be applied, so that concurrent logins of one user are decided one
 * after the other against the connections each of them really replaces.
 *
 * <p>Set one with {@link HubConfig.Builder#sessionPolicy(SessionPolicy)}; without,
 * {@link HubConfig.Builder#sso(boolean)} and {@link HubConfig.Builder#maxConnectionsPerUser(int)}
 * choose {@link #singleSignOn()} or {@link #shareAll(int)}.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface SessionPolicy {

    /**
     * Decides which connections a new one replaces.
     *
     * @param newcomer the connection logging in; not yet registered, so not in {@code current}
     * @param current  the user's open connections, oldest first; unmodifiable, possibly empty
     * @return the connections of {@code current} to close, never null (an empty list keeps them
     *         all); elements not in {@code current} are ignored
     * @throws ConnectionLimitException to refuse the new connection, with a message saying which
     *                                  limit and how to change it
     */
    List<ConnectionContext> replaced(ConnectionContext newcomer, List<ConnectionContext> current);

    /**
     * In a cluster of hubs, the scope in which a login replaces the user's connections on other
     * nodes: a new connection replaces, anywhere in the cluster, every connection of the same user
     * registered with the same scope (the newest login wins, fenced by a per-user epoch in the
     * cluster's engine). {@link #replaced} still decides among this node's connections.
     * Called on the thread registering the connection; must not block.
     *
     * <p>The built-ins: {@link #singleSignOn()} gives {@code "*"} (one connection per user across
     * the cluster), {@link #onePerKind} {@code "kind:" + kind}; {@link #shareAll} gives none, and
     * so does a policy of the application unless it overrides this (its decisions then apply per
     * node: its limit bounds a user's connections on each node).
     *
     * @param device the device logging in; not null
     * @return the scope; empty: the login replaces nothing on other nodes
     * @since 0.1
     */
    default java.util.Optional<String> clusterScope(Device device) {
        return java.util.Optional.empty();
    }

    /**
     * Single sign-on, Go tok's default ({@code sso = true}): the newest connection of a user wins,
     * every older one is closed for it, whatever its device.
     *
     * @return the policy; a shared instance
     */
    static SessionPolicy singleSignOn() {
        return Builtins.SINGLE_SIGN_ON;
    }

    /**
     * Every connection of a user stays ({@code sso = false}), up to {@code maxConnections}: one
     * more is refused with {@link ConnectionLimitException}.
     *
     * @param maxConnections the most connections one user may hold; at least 1
     * @return the policy
     * @throws IllegalArgumentException if {@code maxConnections} is less than 1
     */
    static SessionPolicy shareAll(int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        return new Builtins.ShareAll(maxConnections);
    }

    /**
     * One connection per kind of device, the newest of each kind winning: with a {@code kind}
     * function answering {@code "mobile"} or {@code "desktop"}, a user holds at most one mobile
     * and one desktop connection, and a second phone logging in replaces the first but leaves the
     * desktop alone. The number of kinds the function can answer bounds the connections per user.
     *
     * <!-- sample: ApiJavadocSamples.java#one-per-kind -->
     * <pre>{@code
     * SessionPolicy.onePerKind(device -> device.metadata().getOrDefault("platform", "other"))
     * }</pre>
     *
     * @param kind maps a device to its kind (compared with {@code equals}); a pure function that
     *             never returns null; called without a lock, possibly more than once per login
     * @return the policy
     */
    static SessionPolicy onePerKind(Function<Device, String> kind) {
        return new Builtins.OnePerKind(Objects.requireNonNull(kind, "kind"));
    }
}

/** The built-in policies, kept out of the interface's public surface. */
final class Builtins {

    static final SessionPolicy SINGLE_SIGN_ON = new SessionPolicy() {
        @Override
        public List<ConnectionContext> replaced(ConnectionContext newcomer, List<ConnectionContext> current) {
            return current;
        }

        @Override
        public java.util.Optional<String> clusterScope(Device device) {
            return ONE_PER_USER;
        }

        @Override
        public String toString() {
            return "SessionPolicy.singleSignOn()";
        }
    };

    private static final java.util.Optional<String> ONE_PER_USER = java.util.Optional.of("*");

    private Builtins() {
    }

    /** See {@link SessionPolicy#shareAll(int)}. */
    static final class ShareAll implements SessionPolicy {
        private final int max;

        ShareAll(int max) {
            this.max = max;
        }

        @Override
        public List<ConnectionContext> replaced(ConnectionContext newcomer, List<ConnectionContext> current) {
            if (current.size() >= max) {
                throw new ConnectionLimitException("user '" + newcomer.device().uid() + "' already holds " + current.size()
                        + " connections, the most " + this + " allows (with sso off, maxConnectionsPerUser, "
                        + "tok.hub.max-connections-per-user, sets it)");
            }
            return List.of();
        }

        @Override
        public String toString() {
            return "SessionPolicy.shareAll(" + max + ")";
        }
    }

    /** See {@link SessionPolicy#onePerKind(Function)}. */
    static final class OnePerKind implements SessionPolicy {
        private final Function<Device, String> kind;

        OnePerKind(Function<Device, String> kind) {
            this.kind = kind;
        }

        @Override
        public List<ConnectionContext> replaced(ConnectionContext newcomer, List<ConnectionContext> current) {
            if (current.isEmpty()) {
                return List.of();
            }
            String mine = kindOf(newcomer.device());
            List<ConnectionContext> out = new ArrayList<>(1);
            for (ConnectionContext c : current) {
                if (mine.equals(kindOf(c.device()))) {
                    out.add(c);
                }
            }
            return out;
        }

        @Override
        public java.util.Optional<String> clusterScope(Device device) {
            return java.util.Optional.of("kind:" + kindOf(device));
        }

        private String kindOf(Device device) {
            return Objects.requireNonNull(kind.apply(device), "the kind function of SessionPolicy.onePerKind returned null");
        }

        @Override
        public String toString() {
            return "SessionPolicy.onePerKind(" + kind + ")";
        }
    }
}
