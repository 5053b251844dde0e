package dev.tok.api;

import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The application's view of one registered connection, in the manner of Netty's
 * {@code ChannelHandlerContext} and Spring's {@code WebSocketSession}: the device it
 * authenticated as, the hub, where it comes from, a way to answer this connection alone or to
 * close it, and attributes the application keeps with it.
 *
 * <p>The hub makes one context per connection when it registers it, and hands the same object
 * to every callback about that connection ({@link ConnectHook}, {@link BeforeReceive},
 * {@link Actor}, {@link SessionPolicy}) and in {@link Hub#connections(String)}, so it may be
 * kept (in a map of the application's, for example) and compared with {@code ==}. After the
 * connection closed, the accessors keep answering, {@link #isOpen()} is false and
 * {@link #reply(byte[])} fails with {@link OfflineException}.
 *
 * <p>Thread-safe: every method may be called from any thread, never blocks, and never runs
 * application code while the hub holds a lock. The hub implements this interface; applications
 * do not (a test may, to call its own actor).
 *
 * @since 0.1
 */
public interface ConnectionContext {

    /** @return the device this connection authenticated as; never null */
    Device device();

    /**
     * @return the hub this connection is registered with, usable from the first callback on
     *         (the application needs no reference of its own, and none before
     *         {@link TokServer#start()} returned)
     */
    Hub hub();

    /** @return the name of the transport the connection came through, for example {@code tcp} or {@code netty-ws} */
    String transport();

    /** @return the peer's address as the transport reports it */
    SocketAddress remoteAddress();

    /** @return when the hub registered the connection (its login) */
    Instant connectedAt();

    /**
     * @return true until the connection is closed (by the peer, the hub, a timeout or
     *         {@link #close(CloseReason)}); a snapshot, it may change right after
     */
    boolean isOpen();

    /**
     * Writes a payload to this connection only, through {@link BeforeSend}, as
     * {@link Hub#send(String, byte[], java.time.Duration)} with a zero ttl would write it to all
     * the user's connections: nothing is queued, and the ordering guarantee of {@code Hub.send}
     * holds among all sends to this connection's user from one thread (a reply never overtakes a
     * message sent earlier to the user, queued messages of a login included). Never blocks; the
     * stage completes on the threads {@code Hub.send} documents, never while the hub holds a lock.
     *
     * @param payload the payload; not null; the hub keeps the array, the caller must not modify it
     * @return a stage completing with a {@link SendResult} of one delivery, or exceptionally with
     *         {@link OfflineException} (this connection is closed), {@link DeliveryFailedException}
     *         (the write failed), {@link PendingLimitException} or {@link HubClosedException}
     */
    CompletionStage<SendResult> reply(byte[] payload);

    /**
     * Acknowledges, for this connection's device, every message of the user's log up to
     * {@code upToId} (cumulative) in {@link DeliveryMode#AT_LEAST_ONCE} mode: the device's cursor
     * moves there, the messages are not written to this device again, the connection's in-flight
     * window frees up, and the {@link AcknowledgeHook} is told once the queue stored the cursor.
     * An id beyond the last one written to this connection counts as that last one (a device
     * cannot confirm what it was not given); an id at or below the cursor does nothing. Never
     * blocks: the work runs on a hub worker, in order with the user's sends. Call it from the
     * {@link Actor} when the device says what it received.
     *
     * @param upToId the id of the last message the device received
     * @throws IllegalStateException in {@link DeliveryMode#AT_MOST_ONCE} mode, where messages
     *                               have no ids
     * @since 0.1
     */
    void acknowledge(long upToId);

    /**
     * Sends like {@link Hub#send(String, byte[], java.time.Duration)}, at most once per client
     * id from this connection's device within {@link HubConfig#clientIdWindow()}: the device
     * gives each message it sends an id of its own ({@code cid}), and when a connection drops
     * before the device learnt the outcome, it sends the message again with the same id on its
     * next connection. A repeat gets the first send's stage (completed or not), so the
     * application answers it again, and the message is delivered only once. A first send that
     * failed is forgotten, so that a repeat tries again. The hub remembers at most
     * {@link HubConfig#maxClientIdsPerDevice()} client ids per device (the oldest are forgotten
     * first) and forgets a device's ids once the window passed without a send from it.
     * Never blocks; threads and failures as {@code Hub.send}.
     *
     * @param clientId the device's id for this message; not null
     * @param uid      the recipient; not null
     * @param payload  the payload; not null; the hub keeps the array
     * @param ttl      as for {@code Hub.send}; not null, not negative
     * @return the stage of the first send with this client id from this device within the window
     * @since 0.1
     */
    CompletionStage<SendResult> sendOnce(String clientId, String uid, byte[] payload, Duration ttl);

    /**
     * Closes this connection: what was written to it before (replies and sends whose writes were
     * issued) is flushed first, then the transport closes it (a WebSocket transport sends
     * {@code reason}'s close code and text). The {@link CloseHook} is told {@code reason}, unless
     * the connection was already closing for another one. Never blocks; idempotent: only the
     * first close of a connection counts.
     *
     * @param reason why, for example {@link CloseReason#KICKED} or {@link CloseReason#BANNED}; not null
     */
    void close(CloseReason reason);

    /**
     * Reads an attribute of this connection.
     *
     * @param key the attribute's key; not null
     * @param <T> the attribute's type
     * @return the value, or empty when none is set
     */
    <T> Optional<T> attribute(AttributeKey<T> key);

    /**
     * Sets an attribute of this connection. Attributes live as long as the context and are
     * visible to every thread at once (a concurrent map); a value set in the {@link ConnectHook}
     * is seen by the {@link Actor} on every frame of this connection.
     *
     * @param key   the attribute's key; not null
     * @param value the value; not null ({@link #removeAttribute(AttributeKey)} removes one)
     * @param <T>   the attribute's type
     * @return the previous value, or empty
     */
    <T> Optional<T> setAttribute(AttributeKey<T> key, T value);

    /**
     * Removes an attribute of this connection.
     *
     * @param key the attribute's key; not null
     * @param <T> the attribute's type
     * @return the removed value, or empty when none was set
     */
    <T> Optional<T> removeAttribute(AttributeKey<T> key);
}
