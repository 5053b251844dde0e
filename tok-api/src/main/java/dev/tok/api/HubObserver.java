package dev.tok.api;

/**
 * Observes what a hub does, for metrics: connections opening and closing, frames in and out,
 * sends completing, the queue. Registered with {@link HubConfig.Builder#observer}; every method
 * has an empty default, so an observer overrides only what it needs. (Tracing, which needs to
 * know when work starts and on which thread, has its own interface: {@link HubTracer}.) The hub never
 * reports a uid on its own: only {@link #connectionOpened} and {@link #connectionClosed} get the
 * {@link Device}, and a metrics observer must not put its uid in a tag (unbounded cardinality,
 * personal data).
 *
 * <p><b>Threads.</b> Each method's doc says which thread calls it: a transport's I/O thread, a
 * hub worker, the hub's scheduler, an actor thread, or the thread that called {@link Hub#send}
 * (a send that completes at once reports there). Calls for different connections and users run
 * concurrently: an observer must be thread-safe. The hub never calls an observer while it holds
 * one of its locks.
 *
 * <p><b>Cost.</b> Callbacks run on the hub's hot paths (every frame, every send): they must be
 * fast and must not block (no I/O, no waiting on locks held elsewhere). The arguments are
 * primitives, enums and strings the hub already holds, so a call allocates nothing. With no
 * observer configured the hub pays a single null check per event.
 *
 * <p><b>Failures.</b> An exception thrown by an observer is logged and ignored: it affects
 * neither the hub nor the other observers.
 *
 * @since 0.1
 */
public interface HubObserver {

    /**
     * A connection was registered with the hub (authenticated, accepted by the session policy).
     * Called by the thread that registered it (a transport's I/O or auth thread), after the
     * hub's bookkeeping, before the connect hook runs. Every opened connection is later reported
     * closed exactly once; a connection closed by a concurrent login may be reported closed just
     * before it is reported opened.
     *
     * @param device    the connection's device
     * @param transport the transport's name, for example {@code tcp}
     */
    default void connectionOpened(Device device, String transport) {
    }

    /**
     * A registered connection closed, whoever closed it. Called once per connection, by the
     * thread that closed it or saw it closed (an I/O thread, a hub worker, the scheduler, the
     * thread that called {@link Hub#kick} or {@link Hub#close}).
     *
     * @param device    the connection's device
     * @param transport the transport's name
     * @param reason    why it closed
     */
    default void connectionClosed(Device device, String transport, CloseReason reason) {
    }

    /**
     * A user's first connection opened: the user is online. Called right after
     * {@link #connectionOpened}, by the same thread.
     */
    default void userOnline() {
    }

    /**
     * A user's last connection closed: the user is offline. Called right before
     * {@link #connectionClosed}, by the same thread.
     */
    default void userOffline() {
    }

    /**
     * A frame arrived from a registered connection, before {@link BeforeReceive}. Called by the
     * transport's I/O thread that read it.
     *
     * @param transport the transport's name
     * @param bytes     the frame's length (payload, without the transport's framing)
     */
    default void frameReceived(String transport, int bytes) {
    }

    /**
     * A frame was written to a connection: the transport completed the write of a sent or
     * queued message, a ping or a bye. Called by the thread that completed the write (usually
     * the transport's I/O thread; the writing thread when it completes at once).
     *
     * @param transport the transport's name
     * @param bytes     the payload's length as given to the hub (before {@link BeforeSend})
     */
    default void frameWritten(String transport, int bytes) {
    }

    /**
     * A send's stage is about to complete: called once per {@link Hub#send} and
     * {@link ConnectionContext#reply}, before the stage's dependent actions run, by the thread
     * that completes it (the caller of {@code send} for a send settled at once, an I/O thread
     * completing the last write, a hub worker caching a failed write, the closing thread).
     *
     * @param outcome        how it ended
     * @param durationNanos  nanoseconds from the call of {@code send} to its completion
     */
    default void sendCompleted(SendOutcome outcome, long durationNanos) {
    }

    /**
     * A message was put in the queue (a send to an offline user with a ttl, or a failed write
     * cached by the {@link PartialSendPolicy}). Called by the thread that queued it (a send's
     * caller, a hub worker or an I/O thread).
     */
    default void enqueued() {
    }

    /**
     * Queued messages were delivered and acknowledged to the queue. Called by a hub worker.
     *
     * @param count how many messages
     */
    default void dequeued(int count) {
    }
}
