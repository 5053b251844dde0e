package dev.tok.api;

/**
 * Traces what a hub does, one unit of work at a time: the actor's work on an inbound frame, each
 * {@link Hub#send} with its writes to connections and its enqueue, and the delivery of queued
 * messages at login. Registered with {@link HubConfig.Builder#tracer}; at most one per hub.
 * {@code tok-tracing-otel} implements it for OpenTelemetry.
 *
 * <p><b>Tokens.</b> Where a {@link HubObserver} is told of finished events, a tracer sees work
 * start and end: each {@code ...Started} method returns an opaque token (typically the tracer's
 * span) that the hub keeps and hands back, unchanged, to the matching {@code ...Finished} call
 * and to the calls for the work's parts. A tracer returns {@code null} for work it does not
 * trace (sampled out, or not interested): the hub then makes no further call for that work or
 * its parts, so a {@code ...Finished} method, the {@code parent} of {@link #writeStarted} and
 * the {@code send} of {@link #enqueueStarted} never get {@code null}. Each token that was
 * started is finished at most once; a write its transport never completes is never finished
 * (its send is, failed, after twice the write timeout).
 *
 * <p><b>Context.</b> {@link #receiveStarted} and {@link #receiveFinished} run on the thread that
 * runs the actor, right around it, so a tracer may make its span current there (in
 * OpenTelemetry, {@code span.makeCurrent()} in the one and the scope's close in the other);
 * {@link #sendStarted} runs on the thread that called {@link Hub#send}, so a send made by the
 * actor finds the actor's span current and can use it as its parent.
 *
 * <p><b>Personal data.</b> {@link #receiveStarted} gets the connection and {@link #sendStarted}
 * the recipient's uid, so that an application that wants uids in its traces can have them; a
 * tracer must leave them out unless the application asks for them.
 *
 * <p><b>Threads and cost.</b> Each method's doc says which thread calls it. Calls for different
 * connections and sends run concurrently: a tracer must be thread-safe. The hub never calls a
 * tracer while it holds one of its locks. The methods run on the hub's hot paths: they must be
 * fast and must not block. Without a tracer the hub pays one null check per event, and
 * {@code Hub.send} allocates nothing for tracing; with one, what a traced send costs beyond the
 * tracer's own allocation is a few small objects.
 *
 * <p><b>Failures.</b> An exception thrown by a tracer is logged and ignored: a
 * {@code ...Started} method that throws counts as having returned {@code null}.
 *
 * @since 0.1
 */
public interface HubTracer {

    /**
     * The actor is about to handle a frame of a registered connection. Called on the thread
     * that runs the actor (the actor executor), before {@link BeforeReceive} and the actor;
     * {@link #receiveFinished} follows on the same thread once they returned.
     *
     * @param connection the connection the frame came from (its device, transport, address)
     * @param bytes      the frame's length, before {@link BeforeReceive}
     * @return a token for {@link #receiveFinished}, or {@code null} when this frame is not traced
     */
    default Object receiveStarted(ConnectionContext connection, int bytes) {
        return null;
    }

    /**
     * The actor returned (or threw, or {@link BeforeReceive} rejected the frame). Called on the
     * thread that called {@link #receiveStarted} for this token, right after the actor.
     *
     * @param receive the token {@link #receiveStarted} returned; not null
     * @param failure what the actor or the receive hook threw; {@code null} when it returned
     */
    default void receiveFinished(Object receive, Throwable failure) {
    }

    /**
     * A send was called: {@link Hub#send(String, byte[], java.time.Duration)},
     * {@link Hub#send(Device, byte[], java.time.Duration)}, {@link ConnectionContext#reply} or
     * {@link ConnectionContext#sendOnce}. Called on the thread that called it, before the hub
     * does anything else for the send; {@link #sendFinished} follows exactly once.
     *
     * @param uid   the recipient's uid (personal data: record it only if the application asks)
     * @param bytes the payload's length, before {@link BeforeSend}
     * @return a token for this send's writes, enqueue and {@link #sendFinished}, or {@code null}
     *         when it is not traced
     */
    default Object sendStarted(String uid, int bytes) {
        return null;
    }

    /**
     * A write of a traced send, or of a traced delivery of queued messages, is being issued to
     * one connection. Called on the thread that issues it (the send's caller, a hub worker),
     * right before the transport's write; {@link #writeFinished} follows on the thread that
     * completes it.
     *
     * @param parent    the token of the send ({@link #sendStarted}) or delivery ({@link #deliveryStarted}); not null
     * @param transport the connection's transport, for example {@code tcp}
     * @return a token for {@link #writeFinished}, or {@code null}
     */
    default Object writeStarted(Object parent, String transport) {
        return null;
    }

    /**
     * A write issued after {@link #writeStarted} completed. Called by the thread that completed
     * it (usually the transport's I/O thread; the writing thread when it completes at once),
     * before the send learns the outcome.
     *
     * @param write   the token {@link #writeStarted} returned; not null
     * @param failure why the write failed; {@code null} when it succeeded
     */
    default void writeFinished(Object write, Throwable failure) {
    }

    /**
     * A traced send is about to put its message in the queue: the user is offline, a write
     * failed and the {@link PartialSendPolicy} caches it, or (at-least-once delivery) every send
     * is appended to the user's log. Called by the thread that queues it (the send's caller or a
     * hub worker); {@link #enqueueFinished} follows on the same thread.
     *
     * @param send the send's token; not null
     * @return a token for {@link #enqueueFinished}, or {@code null}
     */
    default Object enqueueStarted(Object send) {
        return null;
    }

    /**
     * The queue took the message, or refused it.
     *
     * @param enqueue the token {@link #enqueueStarted} returned; not null
     * @param id      the message's id in the queue; meaningful only when {@code failure} is null
     * @param failure why the queue refused it; {@code null} when it took it
     */
    default void enqueueFinished(Object enqueue, long id, Throwable failure) {
    }

    /**
     * A traced send's stage is about to complete. Called once per traced send, before the
     * stage's dependent actions run, by the thread that completes it (see
     * {@link HubObserver#sendCompleted}).
     *
     * @param send    the send's token; not null
     * @param outcome how it ended
     * @param failure the exception the stage fails with; {@code null} when it succeeds
     */
    default void sendFinished(Object send, SendOutcome outcome, Throwable failure) {
    }

    /**
     * The hub starts handing queued messages to a user's connections after a login: in
     * at-most-once delivery the drain of the user's queue (to every connection of the user),
     * in at-least-once delivery the resume of one connection from its device's cursor. Called
     * by a hub worker; {@link #deliveryFinished} follows, on a hub worker.
     *
     * @param uid       the user's uid (personal data: record it only if the application asks)
     * @param transport the transport of the connection that resumes; {@code null} for a drain,
     *                  which serves every connection of the user
     * @return a token for the writes it issues ({@link #writeStarted}) and for
     *         {@link #deliveryFinished}, or {@code null}
     */
    default Object deliveryStarted(String uid, String transport) {
        return null;
    }

    /**
     * The drain or resume ended: a drain once every batch was written and acknowledged to the
     * queue (or it gave up), a resume once it read the device's cursor and issued the writes
     * its in-flight window allows.
     *
     * @param delivery the token {@link #deliveryStarted} returned; not null
     * @param messages how many queued messages it delivered (a drain: acknowledged to the queue;
     *                 a resume: written)
     * @param failure  why it failed (the queue could not be read); {@code null} otherwise
     */
    default void deliveryFinished(Object delivery, int messages, Throwable failure) {
    }
}
