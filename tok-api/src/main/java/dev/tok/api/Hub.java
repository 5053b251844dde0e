package dev.tok.api;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Keeps who is online and delivers messages to every connection of a user, caching them for
 * users who are offline. Thread-safe.
 *
 * <p>Obtain one through {@link TokServer}, which also starts the transports that accept
 * connections, or with {@link #create(HubConfig)}: a hub without listeners, for tests and for
 * sending from a process that accepts no connections (no user is online on it, so its sends with
 * a ttl go to its queue). Transports are attached only through {@link TokServer}.
 *
 * <p>No method accepts {@code null}: a null argument fails with {@link NullPointerException}
 * naming the parameter.
 *
 * <p><b>In a cluster</b> ({@link HubConfig.Builder#cluster}, {@code TokServer.Builder.cluster}),
 * several hubs act as one: {@link #send} reaches the user's connections on every node,
 * {@link #isOnline}, {@link #online()} and {@link #kick} are cluster-wide, single sign-on replaces
 * connections on every node; {@link #connections} lists this node's connections only (their
 * contexts are local objects). What each costs and how it fails is said on each method and in
 * the README's "Running a cluster".
 *
 * @since 0.1
 */
public interface Hub extends AutoCloseable {

    /**
     * Creates a hub without listeners, with the implementation found on the class or module path
     * (the {@code dev.tok:tok-core} artifact): for tests, and for sending from a process that
     * accepts no connections. To accept connections use {@link TokServer} instead; there is no
     * way to attach transports to a hub created here. When the configuration names no queue and
     * does not say {@link HubConfig.Builder#noQueue()}, the queue provider named {@code memory}
     * is used with its defaults.
     *
     * @param config the configuration; not null
     * @return a running hub; the caller closes it
     * @throws ConfigurationException if no hub implementation (or no default queue) is found, or
     *                                a provider was built for another tok SPI version
     */
    static Hub create(HubConfig config) {
        return Providers.createHub(config).hub();
    }

    /**
     * Sends a message to every online connection of a user, or caches it for the user's next
     * login. Messages sent to one user from one thread reach each of the user's connections in
     * the order they were sent, queued ones before live ones.
     *
     * <p>Never blocks: writes are handed to the transports and the queue's enqueue runs on a hub
     * worker. The returned stage completes on a hub worker, on a transport I/O thread (the write
     * that completed last) or, for an immediate outcome (the user is offline with a zero ttl, the
     * hub is closed, the per-user pending bound is reached, or a transport completes the writes
     * at once), on the calling thread. Dependent actions must not block; they never run while the
     * hub holds a lock.
     *
     * <p>In {@link DeliveryMode#AT_MOST_ONCE} mode the stages of one user's sends settle in send
     * order. In {@link DeliveryMode#AT_LEAST_ONCE} mode the message is in the user's log once the
     * stage completes, and stages may complete out of send order: a send that waits in the log
     * behind a connection's full in-flight window completes at once ({@code QUEUED}), possibly
     * before an earlier send whose write has not completed yet. The messages themselves still
     * reach each connection in send order.
     *
     * <p>In a cluster, a send to a user whom this node knows to have no connection on another
     * node (it caches each user's presence elsewhere, updated by the other nodes' events) costs
     * what it costs on one node, without a call to the cluster's engine. Otherwise it becomes a
     * task of the user's chain that looks the user up (when not cached), writes to this node's
     * connections, routes the message to the other nodes holding one, and waits for every node's
     * answer: the result has one {@link Delivery} per connection (a remote one with transport
     * {@code "@" + nodeId}); a node that does not answer within the cluster's route timeout counts
     * as failed for its connections, and the {@link PartialSendPolicy} and the queue decide as on
     * one node. The user's sends are routed one at a time, in send order (so guarantee 1 holds
     * across nodes); sends to different users overlap. When the engine cannot be reached, the
     * message still reaches this node's connections; with none here it is queued (ttl &gt; 0) or
     * fails with a {@link TokException} naming the engine. In at-least-once mode in a cluster the
     * users' logs are shared (the queue must be one the nodes share): the message is appended,
     * every connection of the user, on every node, reads the log after what it was given (the
     * other nodes are told with a notice), and the stage completes {@code QUEUED}, with the id,
     * once the message is in the log.
     *
     * @param uid     the recipient; not null
     * @param payload the payload; not null; the hub keeps the array, the caller must not modify it
     * @param ttl     how long the message may wait in the queue; not null, not negative;
     *                {@link Duration#ZERO}: deliver only if online
     * @return a stage that completes with the outcome, or exceptionally with
     *         {@link OfflineException} (offline, zero ttl), {@link CacheFailedException} (the
     *         queue did not take it), {@link DeliveryFailedException} (online, nothing reached,
     *         not cached), {@link PendingLimitException} (too many sends wait for this user) or
     *         {@link HubClosedException}
     * @throws IllegalArgumentException if {@code ttl} is negative
     */
    CompletionStage<SendResult> send(String uid, byte[] payload, Duration ttl);

    /**
     * Sends a message to every open connection of one device of a user (those whose
     * {@link Device#uid()} and {@link Device#deviceId()} equal the given ones; metadata is not
     * compared), and to no other connection of the user. Same threads and the same ordering as
     * {@link #send(String, byte[], Duration)}: it goes through the same per-user order, so
     * messages sent to a user and to the user's devices from one thread reach each connection in
     * send order, queued ones first. To write to one connection, use
     * {@link ConnectionContext#reply(byte[])} (of a context from {@link #connections(String)}, for
     * example).
     *
     * <p><b>Never queued.</b> The queue holds messages per user and delivers them to whichever of
     * the user's devices logs in next, so a message for one device cannot wait there: {@code ttl}
     * must be zero, and a device without an open connection fails the send with
     * {@link OfflineException}. (The parameter is there for the per-device delivery of a later
     * version.)
     *
     * @param device  the recipient device; not null
     * @param payload the payload; not null; the hub keeps the array, the caller must not modify it
     * @param ttl     must be {@link Duration#ZERO}; not null
     * @return a stage that completes with the outcome ({@link SendResult#queued()} is always
     *         false), or exceptionally with {@link OfflineException} (no open connection of the
     *         device), {@link DeliveryFailedException} (no write succeeded),
     *         {@link PendingLimitException} or {@link HubClosedException}
     * @throws IllegalArgumentException if {@code ttl} is not zero
     * @since 0.1
     */
    CompletionStage<SendResult> send(Device device, byte[] payload, Duration ttl);

    /**
     * The user's open connections: a snapshot, oldest first, each with its device, transport,
     * remote address and login time ({@link ConnectionContext#connectedAt()}). The contexts are
     * the ones the hub hands to the actor; one may be closed by the time it is used. In a
     * cluster, this node's connections only (use {@link #isOnline} for the cluster).
     *
     * @param uid a user; not null
     * @return the connections; empty when the user is offline; unmodifiable
     * @since 0.1
     */
    List<ConnectionContext> connections(String uid);

    /**
     * @param uid a user; not null
     * @return true if the user has at least one online connection; in a cluster, on any live
     *         node: answered from this node's connections and its cache of the user's presence
     *         elsewhere, else by asking the cluster's engine (blocking the caller for that call)
     * @throws TokException in a cluster, when the engine had to be asked and could not answer
     */
    boolean isOnline(String uid);

    /**
     * @return a snapshot of the users with at least one online connection; in a cluster, on every
     *         live node: one read per live node from the cluster's engine (blocking the caller),
     *         memory for every online user, and not atomic (users logging in or out meanwhile may
     *         or may not be in it) — for dashboards, not for per-message decisions
     * @throws TokException in a cluster, when the engine cannot be reached
     */
    Set<String> online();

    /**
     * Closes every connection of a user, without a bye payload; in a cluster, on every node (the
     * other nodes are asked through the cluster's engine, blocking the caller until they answered
     * or the route timeout passed; a node that did not answer counts 0).
     *
     * @param uid the user; not null
     * @return how many connections were closed
     * @throws TokException in a cluster, when the other nodes could not be reached (this node's
     *         connections are closed; the message says how many)
     */
    int kick(String uid);

    /** @return the hub's live counters */
    HubMetrics metrics();

    /** @return the configuration the hub runs with */
    HubConfig config();

    /**
     * Stops the hub at once: {@link #close(Duration) close(Duration.ZERO)}.
     */
    @Override
    void close();

    /**
     * Stops the hub after a coordinated drain, in this order:
     * <ol>
     * <li>From the first moment, new logins are refused (their connections are closed with
     * {@link CloseReason#SERVER_SHUTDOWN}); sends are still accepted: written to connections not
     * yet closed, queued (ttl &gt; 0) for users already closed.</li>
     * <li>Every connection is told why, with the {@link ByeGenerator}'s payload for
     * {@link ByeGenerator#REASON_SHUTDOWN} (if any, through {@link BeforeSend}), and closed
     * gracefully with {@link CloseReason#SERVER_SHUTDOWN} (WebSocket 1001): what was written to
     * it is flushed first. The closes are spread evenly over {@code grace}, so that clients
     * reconnecting to another node do not all arrive at once; with a zero grace they are closed
     * at once.</li>
     * <li>Then as a hub closes: sends fail with {@link HubClosedException}; pending work (writes
     * in flight, failed writes being cached, queued-message deliveries) gets up to min(write
     * timeout, 10 s) to finish, what still waits fails with {@link HubClosedException}, and the
     * queue is closed. A write that fails during the drain is cached as the
     * {@link PartialSendPolicy} says, so with a durable queue nothing accepted is left outside
     * it (in at-least-once mode every accepted message is in the queue anyway).</li>
     * </ol>
     * When it returns, every stage the hub handed out (sends, authentications) is complete,
     * normally or with {@link HubClosedException}, and the {@link CloseHook} ran exactly once for
     * every connection that was registered. Idempotent; a second call returns at once. Blocks the
     * caller for about {@code grace} plus the settling: do not call it from a hook or an I/O
     * thread. An interrupt ends the spreading: the remaining connections are closed at once.
     *
     * @param grace the time over which connections are closed; not null, not negative
     * @since 0.1
     */
    void close(Duration grace);
}
