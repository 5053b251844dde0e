package dev.tok.api.spi;

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
     * Tells the hub the connection is gone (peer closed, error, timeout, or after
     * {@link ConAdapter#close()}). Idempotent: the hub runs its close logic once.
     */
    void onClosed();
}
