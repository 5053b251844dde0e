package dev.tok.api;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Keeps who is online and delivers messages to every connection of a user, caching them for
 * users who are offline. Thread-safe.
 *
 * <p>Obtain one with {@link #create(HubConfig)} (a hub without network listeners, for example
 * to attach transports yourself or to test) or, more commonly, through {@link TokServer}.
 *
 * @since 0.1
 */
public interface Hub extends AutoCloseable {

    /**
     * Creates a hub with the implementation found on the class or module path (the
     * {@code dev.tok:tok-core} artifact). When the configuration names no queue and does not
     * say {@link HubConfig.Builder#noQueue()}, the queue provider named {@code memory} is used
     * with its defaults.
     *
     * @param config the configuration
     * @return a running hub
     * @throws ConfigurationException if no hub implementation (or no default queue) is found
     */
    static Hub create(HubConfig config) {
        return Providers.createHub(config).hub();
    }

    /**
     * Sends a message to every online connection of a user, or caches it for the user's next
     * login. Messages sent to one user from one thread reach each of the user's connections in
     * the order they were sent, queued ones before live ones.
     *
     * <p>Never blocks on the network; when the user is offline the caller may wait for the
     * queue's enqueue. The returned stage completes on a hub or transport thread: dependent
     * actions must not block.
     *
     * @param uid     the recipient
     * @param payload the payload; the hub keeps the array, the caller must not modify it
     * @param ttl     how long the message may wait in the queue; {@link Duration#ZERO}: deliver
     *                only if online
     * @return a stage that completes with the outcome, or exceptionally with
     *         {@link OfflineException} (offline, zero ttl), {@link CacheFailedException} (the
     *         queue did not take it), {@link DeliveryFailedException} (online, nothing reached,
     *         not cached) or {@link HubClosedException}
     */
    CompletionStage<SendResult> send(String uid, byte[] payload, Duration ttl);

    /**
     * @param uid a user
     * @return true if the user has at least one online connection
     */
    boolean isOnline(String uid);

    /** @return a snapshot of the users with at least one online connection */
    Set<String> online();

    /**
     * Closes every connection of a user, without a bye payload.
     *
     * @param uid the user
     * @return how many connections were closed
     */
    int kick(String uid);

    /** @return the hub's live counters */
    HubMetrics metrics();

    /** @return the configuration the hub runs with */
    HubConfig config();

    /**
     * Stops the hub: refuses new connections, closes every connection once (calling the
     * {@link CloseHook}), waits for pending work up to the write timeout, and closes the queue.
     * Later sends fail with {@link HubClosedException}. Idempotent.
     */
    @Override
    void close();
}
