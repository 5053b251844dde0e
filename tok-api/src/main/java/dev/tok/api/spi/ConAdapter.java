package dev.tok.api.spi;

import dev.tok.api.CloseReason;
import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * A transport's side of one connection, as handed to the hub on
 * {@link TransportContext#register}. Push-based: the transport delivers inbound frames to the
 * {@link Connection}; the hub writes through {@link #write}. No method blocks, and every method
 * may be called from any thread.
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
