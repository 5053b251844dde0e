package dev.tok.api.spi;

/**
 * Receives the outcome of one {@link ConAdapter#write(byte[], WriteListener)}: the hub's way of
 * learning that a frame was written without the transport allocating a stage per frame.
 *
 * <p>Called exactly once per write, on whichever thread settles it: usually the transport's I/O
 * thread, possibly the writing thread before {@code write} returns (a frame written at once, or
 * refused at once). It must not block, and must not throw; the hub's listeners do neither.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface WriteListener {

    /**
     * The write was settled.
     *
     * @param failure null when the frame was handed to the operating system; otherwise why it
     *                was not written (connection closed, too slow, error)
     */
    void writeCompleted(Throwable failure);
}
