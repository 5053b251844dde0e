package dev.tok.api;

import java.time.Instant;
import java.util.List;

/**
 * Where messages for offline users wait, per user in FIFO order, until they are delivered or
 * expire.
 *
 * <p>Delivery is two-phase so that nothing is lost when a write fails or the process dies:
 * the hub {@link #peek}s, writes, and only after the write succeeded {@link #acknowledge}s.
 * A message that was not acknowledged keeps its place and its expiry.
 *
 * <p>Implementations are thread-safe; operations on one user are linearizable. They may block
 * on I/O: the hub calls them on its worker threads, never on a transport I/O thread. Expired
 * messages are never returned by {@link #peek} and never counted by {@link #size}.
 *
 * @since 0.1
 */
public interface Queue extends AutoCloseable {

    /**
     * Appends a message at the tail of the user's queue.
     *
     * @param uid       the recipient
     * @param payload   the payload; the queue may keep the array, the caller must not modify it
     * @param expiresAt when the message expires
     * @throws QueueFullException if a bound of this queue would be exceeded; nothing is stored
     * @throws TokException       if the message could not be stored
     */
    void enqueue(String uid, byte[] payload, Instant expiresAt);

    /**
     * Returns the oldest unexpired messages of a user without removing them.
     *
     * @param uid the user
     * @param max at most this many messages; positive
     * @return up to {@code max} messages, oldest first; empty when none wait
     */
    List<QueuedMessage> peek(String uid, int max);

    /**
     * Removes every message of the user whose id is at most {@code upToId}: they were
     * delivered. Acknowledging ids that are already gone does nothing.
     *
     * @param uid    the user
     * @param upToId the id of the last delivered message
     */
    void acknowledge(String uid, long upToId);

    /**
     * @param uid the user
     * @return how many unexpired messages wait for the user
     */
    int size(String uid);

    /** Releases the queue's resources; a durable queue keeps its messages. Idempotent. */
    @Override
    void close();
}
