package dev.tok.api;

/**
 * Hook applied to every outbound frame, including server pings and bye frames, before it is
 * written to a connection (encrypt, compress, frame).
 *
 * <p>Called once per connection written to, on the thread that sends (an application thread,
 * a hub worker, or a transport I/O thread for queued redelivery): it must not block.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface BeforeSend {

    /**
     * Transforms an outbound frame.
     *
     * @param device  the receiving device
     * @param payload the payload given to {@link Hub#send} (or a ping or bye payload)
     * @return the bytes written; never null
     * @throws RuntimeException to fail this write: the connection counts as not reached
     */
    byte[] beforeSend(Device device, byte[] payload);
}
