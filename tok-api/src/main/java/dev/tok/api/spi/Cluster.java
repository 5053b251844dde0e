package dev.tok.api.spi;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * One node's membership in a cluster of hubs: node identity and liveness, cluster-wide presence,
 * single sign-on fencing, and routing of sends and kicks to the nodes that hold a user's
 * connections. Created by a {@link ClusterProvider}; used by the hub, which keeps writing to its
 * own connections itself (a send between two users of one node needs no call here but
 * {@link #connections}).
 *
 * <p><b>Liveness.</b> After {@link #start}, the node holds a lease that it renews every
 * heartbeat. A node whose lease lapsed (it died, or lost the engine for longer than the lease)
 * counts as gone: its connections are left out of every answer at once and removed by the
 * surviving nodes. {@link #close()} removes the node's presence at once.
 *
 * <p><b>Failures.</b> Every operation either completes or fails within the provider's command
 * timeout (routing: its route timeout); while the engine is unreachable, operations fail fast
 * with a {@link dev.tok.api.TokException} naming the engine and the cause, and nothing of the
 * node's local work waits for it. The node reconnects with backoff and, when its lease lapsed
 * meanwhile, registers again every connection it still holds (those {@link #register}ed and not
 * {@link #unregister}ed), except those that a newer login of the same scope replaced meanwhile:
 * for those the listener gets {@link ClusterListener#onTakeover}.
 *
 * <p><b>Presence events.</b> Every {@link #register}, {@link #registerReplacing} and
 * {@link #unregister} is announced to the other nodes' listeners
 * ({@link ClusterListener#onPresenceChanged}) once it took effect, so that a hub may cache who is
 * where and still send between two users of one node without asking the engine. When events may
 * have been missed (the engine was unreachable, a node's lease lapsed) the listeners get
 * {@link ClusterListener#onPresenceUnknown}.
 *
 * <p><b>Threads.</b> All methods are thread-safe and never block; the stages complete on the
 * cluster's I/O or timer threads, so dependent actions must not block either.
 *
 * @since 0.1
 */
public interface Cluster extends AutoCloseable {

    /** @return this node's id, unique among the live nodes; stable for this instance */
    String nodeId();

    /**
     * Joins: takes the node's lease, starts the heartbeat, and starts delivering the other nodes'
     * events to {@code listener}. Called once, before every other operation but {@link #nodeId}.
     *
     * @param listener receives sends, kicks and takeovers from other nodes
     * @return completes when the node is live and listening
     * @throws IllegalStateException when called twice or after {@link #close()}
     */
    CompletionStage<Void> start(ClusterListener listener);

    /** @return the ids of the nodes whose lease is current, this one included */
    CompletionStage<Set<String>> nodes();

    /**
     * Registers a connection of this node without single sign-on: the user is online
     * cluster-wide from the stage's completion on.
     *
     * @param uid          the user
     * @param deviceId     the device
     * @param connectionId the hub's id for the connection, unique on this node
     * @return the registration, with the connection's epoch and nothing replaced
     */
    CompletionStage<Registration> register(String uid, String deviceId, String connectionId);

    /**
     * Registers a connection of this node as the user's newest login in {@code scope}, atomically
     * with removing every connection of the same user and scope anywhere in the cluster (single
     * sign-on fencing): of logins racing on several nodes, exactly one survives, the one with the
     * highest epoch. The nodes holding replaced connections get
     * {@link ClusterListener#onTakeover}, this node included.
     *
     * @param uid          the user
     * @param deviceId     the device
     * @param connectionId the hub's id for the connection, unique on this node
     * @param scope        the sign-on scope ({@code SessionPolicy}'s kind; one fixed value for
     *                     plain single sign-on); connections of other scopes stay
     * @return the registration: the login's epoch and the connections it replaced
     */
    CompletionStage<Registration> registerReplacing(String uid, String deviceId, String connectionId, String scope);

    /**
     * Removes a connection of this node; does nothing when it is not registered (for example
     * because a newer login replaced it).
     *
     * @param uid          the user
     * @param connectionId the connection
     * @return completes when the connection no longer counts
     */
    CompletionStage<Void> unregister(String uid, String connectionId);

    /**
     * @param uid the user
     * @return the user's connections on live nodes, this one included, in no particular order
     */
    CompletionStage<List<ClusterConnection>> connections(String uid);

    /**
     * @param uid the user
     * @return whether the user has a connection on a live node
     */
    CompletionStage<Boolean> isOnline(String uid);

    /**
     * A snapshot of the users with a connection on a live node. It costs one read per live node
     * and memory for every online user, and is not atomic: users that log in or out meanwhile may
     * or may not be in it.
     *
     * @return the uids
     */
    CompletionStage<Set<String>> online();

    /**
     * Routes a send to the other nodes holding these connections of the user and collects each
     * connection's outcome. This node's connections among {@code targets} are ignored: the hub
     * writes them itself. Each node writes to its current connections of the user (of the device,
     * when the send names one), which may include connections registered after the caller looked
     * the targets up; those are reported too.
     *
     * <p><b>Order.</b> Routed sends to one node are handed over in the order of the calls: two
     * sends routed one after the other from one thread reach a node, and its listener, in that
     * order.
     *
     * @param send    what to write
     * @param targets the user's connections to reach, as {@link #connections} gave them (or a
     *                cached copy: a node without any of them answers with what it wrote)
     * @return one entry per remote connection targeted or written; a node that did not answer
     *         within the route timeout (or is not listening) gives {@link RemoteWrite.Status#NO_ANSWER}
     *         for each of its targeted connections; empty when no target is on another node
     * @since 0.1
     */
    CompletionStage<List<RemoteWrite>> route(ClusterSend send, Collection<ClusterConnection> targets);

    /**
     * Looks the user's connections up and routes the send to the other nodes holding one:
     * {@link #connections} then {@link #route(ClusterSend, Collection)}.
     *
     * @param send what to write
     * @return as {@link #route(ClusterSend, Collection)}
     */
    default CompletionStage<List<RemoteWrite>> route(ClusterSend send) {
        return connections(send.uid()).thenCompose(all -> route(send, all));
    }

    /**
     * Asks every other live node holding a connection of the user to close them (no bye).
     *
     * @param uid the user
     * @return how many remote connections were closed; nodes that did not answer within the
     *         route timeout count 0
     */
    CompletionStage<Integer> kick(String uid);

    /**
     * Leaves the cluster: stops the heartbeat, removes this node's presence and lease at once
     * (best effort: when the engine is unreachable they lapse with the lease), stops listening
     * and disconnects. Idempotent; blocks for at most the command timeout.
     */
    @Override
    void close();

    /**
     * The result of a registration.
     *
     * @param epoch    the login's epoch: higher than that of every earlier registration of the user
     * @param replaced the connections it replaced (single sign-on), anywhere in the cluster
     * @since 0.1
     */
    record Registration(long epoch, List<ClusterConnection> replaced) {

        /** Copies the list. */
        public Registration {
            replaced = List.copyOf(Objects.requireNonNull(replaced, "replaced"));
        }
    }
}
