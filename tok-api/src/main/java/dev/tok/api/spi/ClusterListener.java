package dev.tok.api.spi;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What a node receives from the other nodes, given to {@link Cluster#start} by the hub.
 *
 * <p><b>Threads.</b> Every method is called on one of the cluster's I/O threads, for one node in
 * the order the messages arrived; it must not block (hand blocking work to another executor and
 * complete the returned stage later). An exception thrown, or a stage completed exceptionally, is
 * reported to the requesting node as a failure ({@link RemoteWrite.Status#FAILED}, or a kick of
 * 0 connections) and logged.
 *
 * @since 0.1
 */
public interface ClusterListener {

    /**
     * Another node routes a send here: write it to this node's connections of
     * {@link ClusterSend#uid()} (of its device, when it names one), never queue it.
     *
     * @param send what to write
     * @return per connection id of this node, whether the write succeeded
     *         ({@link RemoteWrite.Status#WRITTEN} or {@link RemoteWrite.Status#FAILED}); a
     *         connection the requester expected and the map leaves out counts as failed
     */
    CompletionStage<Map<String, RemoteWrite.Status>> onSend(ClusterSend send);

    /**
     * Another node kicks the user: close this node's connections of {@code uid} (no bye).
     *
     * @param uid the user
     * @return how many connections were closed here
     */
    CompletionStage<Integer> onKick(String uid);

    /**
     * A newer login of {@code uid} on node {@code byNode} replaced these connections of this node
     * (single sign-on): send them the bye payload and close them. Their presence entries are
     * already gone. Called at most once per replaced connection; a connection this node no longer
     * holds is ignored.
     *
     * @param uid           the user
     * @param connectionIds this node's replaced connections
     * @param epoch         the epoch of the login that won; higher than each replaced one's
     * @param byNode        the node of that login (may be this node)
     */
    void onTakeover(String uid, Set<String> connectionIds, long epoch, String byNode);

    /**
     * Another node registered or unregistered a connection of {@code uid} (a login, a logout, a
     * single sign-on takeover): what this node cached about the user's connections elsewhere is
     * stale. Called after the change took effect in the engine.
     *
     * @param uid the user
     */
    default void onPresenceChanged(String uid) {
    }

    /**
     * Presence events may have been missed (this node lost the engine for a while, or the set of
     * live nodes changed): everything cached about other nodes' connections is stale.
     */
    default void onPresenceUnknown() {
    }
}
