package dev.tok.api.spi;

import dev.tok.api.CloseReason;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A transport's side of one connection, as handed to the hub on
 * {@link TransportContext#register}. Push-based: the transport delivers inbound frames to the
 * {@link Connection}; the hub writes through {@link #write(byte[], WriteListener)} (and
 * {@link #write(byte[])}). No method blocks, and every method may be called from any thread.
 *
 * @since 0.1
 */
public interface ConAdapter {

    /**
     * Queues one frame for writing. Frames are written in the order of the calls.
     *
     * <p>The transport bounds what waits: when a connection's unwritten bytes stay above its
     * high-water mark for longer than the write timeout, the transport closes the connection,
     * and every pending write fails.
     *
     * @param frame the complete payload of one frame; the transport must not modify it
     * @return a stage completing when the frame was handed to the operating system, or
     *         exceptionally when it was not written (connection closed, too slow, error)
     */
    CompletionStage<Void> write(byte[] frame);

    /**
     * Queues one frame for writing, like {@link #write(byte[])}, and reports the outcome to
     * {@code listener} instead of a stage. The hub sends messages through this method: a
     * transport that implements it need not allocate a stage per frame (the {@code tcp}
     * transport pools its writes); frames of both methods keep the order of the calls.
     *
     * <p>The listener is called exactly once, with null once the frame was handed to the
     * operating system, else with why it was not written; on any thread, possibly before this
     * method returns. A failure is reported to the listener, never thrown (a null argument
     * excepted). The default adapts {@link #write(byte[])}: a stage that is already complete is
     * reported at once, else when it completes.
     *
     * @param frame    the complete payload of one frame; not null; the transport must not modify it
     * @param listener told the outcome; not null
     * @since 0.1
     */
    default void write(byte[] frame, WriteListener listener) {
        Objects.requireNonNull(listener, "listener");
        CompletionStage<Void> stage;
        try {
            stage = write(frame);
        } catch (RuntimeException e) {
            listener.writeCompleted(e);
            return;
        }
        if (stage instanceof CompletableFuture<Void> f && f.isDone()) {
            listener.writeCompleted(failureOf(f));
        } else {
            stage.whenComplete((v, e) -> listener.writeCompleted(unwrap(e)));
        }
    }

    /** @return null for a successful stage, else why it failed (unwrapped); for the default write */
    private static Throwable failureOf(CompletableFuture<Void> done) {
        if (!done.isCompletedExceptionally()) {
            return null;
        }
        try {
            done.join();
            return new IllegalStateException("not failed"); // not reached: the stage failed
        } catch (RuntimeException e) {
            return unwrap(e);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /**
     * Closes the connection after the frames already queued were written (or failed). A
     * WebSocket transport sends {@code reason}'s close code and text; the transport then calls
     * {@link Connection#onClosed(CloseReason)} with {@code reason}. Idempotent: the first call's
     * reason wins.
     *
     * @param reason why the hub closes the connection, for example {@link CloseReason#SSO_REPLACED}; not null
     */
    void close(CloseReason reason);

    /**
     * Closes the connection without waiting for the peer to read what is queued: what the
     * operating system accepts at once is still written, every other pending write fails at
     * once, and the connection is closed (a WebSocket transport tries to send {@code reason}'s
     * close frame). The hub aborts connections it closes for single sign-on and kick, whose peer
     * may be gone: a flush could hold their pending writes for the whole write timeout. The
     * transport then calls {@link Connection#onClosed(CloseReason)} with {@code reason}.
     * Idempotent, like {@link #close(CloseReason)}; the default closes gracefully.
     *
     * @param reason why the hub closes the connection; not null
     */
    default void abort(CloseReason reason) {
        close(reason);
    }

    /** @return the transport's name, for example {@code tcp} */
    String transport();

    /** @return the peer's address */
    SocketAddress remoteAddress();

    /**
     * Whether this adapter and {@code other} wrap the same underlying connection, so that
     * single sign-on must not close one for the other (Go tok's {@code ShareConn}).
     *
     * @param other another adapter of the same user
     * @return true if they share the connection; false by default
     */
    default boolean sharesConnectionWith(ConAdapter other) {
        return false;
    }

    /** Stops reading from the peer until {@link #resumeReading()}: inbound backpressure. */
    default void pauseReading() {
    }

    /** Resumes reading after {@link #pauseReading()}. */
    default void resumeReading() {
    }
}
