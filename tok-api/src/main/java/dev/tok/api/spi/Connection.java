package dev.tok.api.spi;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;

/**
 * The hub's side of one registered connection. The transport pushes inbound frames and the
 * end of the connection here. Methods never block and may be called from an I/O thread.
 *
 * @since 0.1
 */
public interface Connection {

    /** @return the device this connection authenticated as */
    Device device();

    /**
     * Hands one inbound frame to the hub. Call from one thread at a time per connection, in
     * arrival order; the actor sees the frames in that order on its own executor. When too many
     * frames wait for the actor, the hub calls {@link ConAdapter#pauseReading()}.
     *
     * @param frame the payload; ownership passes to the hub
     */
    void onFrame(byte[] frame);

    /**
     * Tells the hub the peer showed it is alive without sending a frame: a WebSocket pong, ping
     * or other control frame, or transport-level keep-alive traffic. {@link #onFrame} counts as
     * activity by itself. The hub's read timeout closes a connection with neither for that long.
     * Cheap (a timestamp), may be called from the I/O thread at any rate.
     */
    void onActivity();

    /**
     * Tells the hub the connection is gone (peer closed, error, timeout, or after
     * {@link ConAdapter#close(CloseReason)}). Idempotent: the hub runs its close logic once, with
     * the reason of its own close if it closed the connection first, else with this one.
     *
     * @param reason why the connection ended, for example {@link CloseReason#PEER_CLOSED}; not null
     */
    void onClosed(CloseReason reason);
}
