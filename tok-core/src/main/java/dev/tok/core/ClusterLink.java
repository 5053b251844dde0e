package dev.tok.core;

import dev.tok.api.ByeGenerator;
import dev.tok.api.Device;
import dev.tok.api.TokException;
import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterConnection;
import dev.tok.api.spi.ClusterListener;
import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's membership in a cluster: registers its connections with the {@link Cluster},
 * answers the other nodes ({@link ClusterListener}), and caches, per user, the user's
 * connections on other nodes, so that a send between two users of this node asks the engine
 * nothing.
 *
 * <p><b>The presence cache.</b> An entry holds what {@link Cluster#connections} said about the
 * user's connections on other nodes (possibly none). It is dropped when another node announces a
 * change of the user's presence ({@link #onPresenceChanged}), all of it when events may have been
 * missed ({@link #onPresenceUnknown}), and an entry a routed send found wrong (a connection that
 * failed, did not answer, or was not in it). A lookup that started before a drop is not cached
 * (the {@link #generation} moved). So the cache is stale for no longer than an event takes to
 * arrive (pub/sub: well under a millisecond on one network) — a send in that window reaches the
 * connections the sender knew of, as a send racing a login does on one node. Bounded to
 * {@link #MAX_CACHED_USERS} users: beyond, lookups are not cached.
 */
final class ClusterLink implements ClusterListener {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLink.class);
    /** Users whose remote presence is cached at most. */
    static final int MAX_CACHED_USERS = 100_000;
    /** How long a blocking cluster-wide query ({@code isOnline}, {@code online}, {@code kick}) waits at most. */
    static final long QUERY_TIMEOUT_MILLIS = 30_000;
    /** The first delay before a failed registration is tried again; doubled up to {@link #MAX_RETRY_MILLIS}. */
    static final long FIRST_RETRY_MILLIS = 500;
    static final long MAX_RETRY_MILLIS = 30_000;

    private final CoreHub hub;
    final Cluster cluster;
    final String nodeId;
    /** uid -> the user's connections on other nodes, as last looked up. */
    private final ConcurrentHashMap<String, List<ClusterConnection>> remote = new ConcurrentHashMap<>();
    /** Moves at every drop: a lookup that saw it move does not cache its answer. */
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong connectionIds = new AtomicLong();
    /** Routed sends in progress, failed on close if they have not settled by then. */
    final Set<RoutedSend> routing = ConcurrentHashMap.newKeySet();

    ClusterLink(CoreHub hub, Cluster cluster) {
        this.hub = hub;
        this.cluster = cluster;
        this.nodeId = cluster.nodeId();
    }

    /** Joins the cluster; blocks until this node is live (or fails). */
    void start() {
        try {
            cluster.start(this).toCompletableFuture().get(QUERY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokException("interrupted while node " + nodeId + " joined the cluster", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof TokException t) {
                throw t;
            }
            throw new TokException("node " + nodeId + " could not join the cluster (" + cluster + "): " + cause, cause);
        }
        LOG.info("node {} joined the cluster ({})", nodeId, cluster);
    }

    /** @return a connection id, unique on this node */
    String newConnectionId() {
        return Long.toString(connectionIds.incrementAndGet(), 36);
    }

    // ---- presence cache -----------------------------------------------------------------------

    /** @return the user's connections on other nodes as cached; null when not cached */
    List<ClusterConnection> cached(String uid) {
        return remote.get(uid);
    }

    /** @return the user's connections on other nodes: cached, or looked up (and then cached) */
    CompletableFuture<List<ClusterConnection>> lookup(String uid) {
        List<ClusterConnection> known = remote.get(uid);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        long seen = generation.get();
        CompletionStage<List<ClusterConnection>> all;
        try {
            all = cluster.connections(uid);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return all.toCompletableFuture().thenApply(list -> {
            List<ClusterConnection> others = new ArrayList<>(list.size());
            for (ClusterConnection c : list) {
                if (!c.nodeId().equals(nodeId)) {
                    others.add(c);
                }
            }
            List<ClusterConnection> answer = others.isEmpty() ? List.of() : List.copyOf(others);
            if (generation.get() == seen && remote.size() < MAX_CACHED_USERS) {
                remote.put(uid, answer);
                if (generation.get() != seen) {
                    remote.remove(uid, answer); // a drop raced the put
                }
            }
            return answer;
        });
    }

    /**
     * At-least-once delivery: the user's log grew to {@code id}; tells the other nodes holding a
     * connection of the user to let them catch up with the log. Best effort: a lost notice delays
     * the delivery until the next notice, acknowledgement or login.
     */
    void logAppended(String uid, long id) {
        lookup(uid).whenComplete((remote, e) -> {
            if (e != null || remote.isEmpty()) {
                return;
            }
            try {
                cluster.route(ClusterSend.logAppended(uid, id), remote).whenComplete((writes, f) -> {
                    if (f != null || writes.size() < remote.size()
                            || writes.stream().anyMatch(w -> w.status() != RemoteWrite.Status.WRITTEN)) {
                        forget(uid);
                    }
                });
            } catch (RuntimeException f) {
                LOG.debug("node {}: could not tell the other nodes about message {} of '{}': {}", nodeId, id, uid, f.toString());
            }
        });
    }

    /** Drops what is cached about the user. */
    void forget(String uid) {
        generation.incrementAndGet();
        remote.remove(uid);
    }

    // ---- registration -------------------------------------------------------------------------

    /**
     * Registers a connection this hub just registered locally: cluster-wide single sign-on in the
     * session policy's scope, plain otherwise. A failed registration (the engine unreachable) is
     * tried again with backoff while the connection stays open. Not under a hub lock.
     *
     * @return completes when the first attempt completed, either way
     */
    CompletableFuture<Void> register(HubConnection conn) {
        CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
        attempt(conn, FIRST_RETRY_MILLIS, firstAttempt);
        return firstAttempt;
    }

    private void attempt(HubConnection conn, long retryMillis, CompletableFuture<Void> firstAttempt) {
        if (conn.isClosed() || hub.isClosing()) {
            firstAttempt.complete(null);
            return;
        }
        Device d = conn.device();
        CompletionStage<Cluster.Registration> stage;
        try {
            Optional<String> scope = hub.sessionPolicy().clusterScope(d);
            stage = scope.isPresent() ? cluster.registerReplacing(d.uid(), d.deviceId(), conn.clusterId, scope.get())
                    : cluster.register(d.uid(), d.deviceId(), conn.clusterId);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((registration, e) -> {
            firstAttempt.complete(null);
            if (e == null) {
                if (conn.isClosed()) {
                    unregister(conn); // closed while registering: unregister() found nothing to remove yet
                }
                return;
            }
            if (conn.isClosed() || hub.isClosing()) {
                return;
            }
            LOG.warn("node {}: {} is not visible to the other nodes (trying again in {} ms): {}", nodeId, conn, retryMillis,
                    unwrap(e).toString());
            try {
                hub.scheduler.schedule(() -> attempt(conn, Math.min(MAX_RETRY_MILLIS, retryMillis * 2), firstAttempt),
                        retryMillis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the hub closes: nothing to register any more
            }
        });
    }

    /** The connection closed (or closed while it registered): removes it from the cluster. Not under a hub lock. */
    void unregister(HubConnection conn) {
        try {
            cluster.unregister(conn.device().uid(), conn.clusterId).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.debug("node {}: could not unregister {} (its entry lapses with the node's lease if the node is gone): {}",
                            nodeId, conn, unwrap(e).toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("node {}: could not unregister {}: {}", nodeId, conn, e.toString());
        }
    }

    // ---- queries ------------------------------------------------------------------------------

    /** @return whether the user has a connection on another node; blocks for a lookup when not cached */
    boolean onlineElsewhere(String uid) {
        List<ClusterConnection> known = remote.get(uid);
        if (known != null) {
            return !known.isEmpty();
        }
        return !await(lookup(uid), "find the connections of '" + uid + "'").isEmpty();
    }

    /** @return the users with a connection on any live node (this one included); blocks */
    Set<String> online() {
        return await(cluster.online(), "read who is online");
    }

    /** @return how many connections of the user other nodes closed; blocks */
    int kickElsewhere(String uid) {
        return await(cluster.kick(uid), "kick '" + uid + "' on the other nodes");
    }

    private <T> T await(CompletionStage<T> stage, String what) {
        try {
            return stage.toCompletableFuture().get(QUERY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokException("interrupted while node " + nodeId + " tried to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof TokException t) {
                throw new TokException(t.getMessage(), t);
            }
            throw new TokException("node " + nodeId + " could not " + what + ": " + cause, cause);
        }
    }

    // ---- the other nodes ----------------------------------------------------------------------

    @Override
    public CompletionStage<Map<String, RemoteWrite.Status>> onSend(ClusterSend send) {
        return hub.deliverRouted(send);
    }

    @Override
    public CompletionStage<Integer> onKick(String uid) {
        return CompletableFuture.completedFuture(hub.kickHere(uid));
    }

    @Override
    public void onTakeover(String uid, Set<String> connectionIds, long epoch, String byNode) {
        // Usually on another node; on this one, the session policy closed them already (kick then
        // does nothing), unless it kept what the cluster scope replaced. The engine does not say
        // which device logged in: the kicker's device id names the node.
        Device kicker = new Device(uid, "@" + byNode, Map.of("node", byNode));
        for (HubConnection c : hub.connectionsHere(uid)) {
            if (connectionIds.contains(c.clusterId)) {
                c.kick(kicker, ByeGenerator.REASON_SSO);
            }
        }
    }

    @Override
    public void onPresenceChanged(String uid) {
        forget(uid);
    }

    @Override
    public void onPresenceUnknown() {
        generation.incrementAndGet();
        remote.clear();
        hub.catchUpEveryLog(); // at-least-once: notices may have been missed too
    }

    /** Leaves the cluster: this node's presence goes at once. Blocks for at most the engine's command timeout. */
    void close() {
        try {
            cluster.close();
        } catch (RuntimeException e) {
            LOG.warn("node {} could not leave the cluster cleanly", nodeId, e);
        }
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
