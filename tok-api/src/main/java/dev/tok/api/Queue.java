package dev.tok.api;

import java.time.Instant;
import java.util.List;

/**
 * Where messages wait, per user in FIFO order with increasing ids, until they are delivered or
 * expire. The hub uses a queue in one of two ways, after its {@link DeliveryMode}:
 *
 * <ul>
 * <li>{@link DeliveryMode#AT_MOST_ONCE}: an offline queue. Messages for offline users are
 * {@link #enqueue}d; at the user's next login the hub {@link #peek}s, writes, and only after the
 * write succeeded {@link #acknowledge(String, long) acknowledges} them, which removes them. A
 * message that was not acknowledged keeps its place and its expiry.</li>
 * <li>{@link DeliveryMode#AT_LEAST_ONCE}: the user's message log. Every message is
 * {@link #enqueue}d, and its id is the message id devices see. The queue keeps a cursor per
 * {@link Device} of the user (the last id the device acknowledged; {@link #cursor},
 * {@link #acknowledge(Device, long)}); the hub {@link #read}s after a device's cursor to write what
 * the device has not confirmed. A message is removed once every device the queue knows for the
 * user acknowledged it, or when it expires. Cursors are kept as long as the queue keeps the
 * user's messages (a durable queue: across restarts); a device's cursor only moves forward.</li>
 * </ul>
 *
 * <p>The per-user bound of an implementation is the user's retention bound: an {@link #enqueue}
 * that would pass it throws {@link QueueFullException} and stores nothing (the hub then fails the
 * send with {@link CacheFailedException}); nothing already stored is dropped to make room. In
 * at-least-once mode a device that stops acknowledging keeps its user's messages until they
 * expire: choose ttls and the bound with that in mind.
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
     * @return the message's id: greater than every id the queue gave this user before (also
     *         across restarts, for a durable queue) and positive
     * @throws QueueFullException if a bound of this queue would be exceeded; nothing is stored
     * @throws TokException       if the message could not be stored
     */
    long enqueue(String uid, byte[] payload, Instant expiresAt);

    /**
     * Returns the oldest unexpired messages of a user without removing them.
     *
     * @param uid the user
     * @param max at most this many messages; positive
     * @return up to {@code max} messages, oldest first; empty when none wait
     */
    List<QueuedMessage> peek(String uid, int max);

    /**
     * Returns the oldest unexpired messages of a user whose id is greater than {@code afterId},
     * without removing them: what a device whose cursor is {@code afterId} has not confirmed.
     *
     * @param uid     the user
     * @param afterId only messages with a greater id; 0 for all of them
     * @param max     at most this many messages; positive
     * @return up to {@code max} messages, in id order; empty when none wait
     */
    List<QueuedMessage> read(String uid, long afterId, int max);

    /**
     * Returns a device's cursor, registering the device when the queue does not know it yet: from
     * then on, messages of the user are kept until this device acknowledged them too (or they
     * expire).
     *
     * @param device the device; not null
     * @return the last id the device acknowledged; 0 for a device seen for the first time, which
     *         is thereby owed every message of the user still kept
     * @throws TokException if the cursor could not be read or the device not be registered
     */
    long cursor(Device device);

    /**
     * Moves a device's cursor forward to {@code upToId} (never backward: a smaller id does
     * nothing), registering the device if needed, then removes every message of the user that
     * every device the queue knows for the user has acknowledged. When this returns, the cursor is
     * stored (for a durable queue: it survives the process).
     *
     * @param device the device; not null
     * @param upToId the id of the last message the device received
     * @throws TokException if the cursor could not be stored
     */
    void acknowledge(Device device, long upToId);

    /**
     * Removes every message of the user whose id is at most {@code upToId}: they were
     * delivered. Acknowledging ids that are already gone does nothing. Used in
     * {@link DeliveryMode#AT_MOST_ONCE} mode; device cursors are not affected.
     *
     * @param uid    the user
     * @param upToId the id of the last delivered message
     */
    void acknowledge(String uid, long upToId);

    /**
     * @param uid the user
     * @return how many unexpired messages wait for the user (in at-least-once mode: are kept for
     *         the user, acknowledged by some devices or none)
     */
    int size(String uid);

    /** Releases the queue's resources; a durable queue keeps its messages. Idempotent. */
    @Override
    void close();
}
