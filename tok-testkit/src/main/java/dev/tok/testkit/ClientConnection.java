package dev.tok.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * One client connection opened by a {@link TransportClient}. Used by one thread at a time.
 *
 * <p><b>Reading only on demand.</b> The connection reads from the network only while
 * {@link #receive} runs (small buffers, a few KiB, may fill in between). A client that is not
 * asked to receive must look to the server like a peer that stopped reading: that is how the
 * kit produces a slow consumer.
 *
 * @since 0.1
 */
public interface ClientConnection extends AutoCloseable {

    /**
     * Sends one frame.
     *
     * @param payload the frame's payload, possibly empty
     * @throws IOException if the connection is closed or the bytes could not be written
     */
    void send(byte[] payload) throws IOException;

    /**
     * Waits for the next whole frame.
     *
     * @param timeout how long to wait; {@link Duration#ZERO} only takes what already arrived
     * @return the next frame's payload, or empty if none arrived within the timeout (the
     *         connection is still open)
     * @throws IOException once the connection was closed, by either side, and every frame that
     *                     arrived before the close was returned ({@link java.io.EOFException} for
     *                     an orderly close)
     */
    Optional<byte[]> receive(Duration timeout) throws IOException;

    /** Closes the connection from the client's side, abruptly if need be. Idempotent. */
    @Override
    void close();
}
