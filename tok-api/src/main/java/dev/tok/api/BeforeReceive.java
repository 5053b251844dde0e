package dev.tok.api;

/**
 * Hook applied to every inbound frame before the {@link Actor} sees it: may transform the
 * payload (decrypt, decompress) or reject it.
 *
 * <p>Called on the actor executor, in the connection's frame order, right before the
 * {@link Actor} for the same frame; may block as the actor may.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface BeforeReceive {

    /**
     * Transforms an inbound frame.
     *
     * @param connection the connection that sent the frame; not null
     * @param payload    the frame as read from the connection
     * @return the payload the actor receives; never null
     * @throws RuntimeException to reject the frame: it is logged and dropped, the connection
     *                          stays open
     */
    byte[] beforeReceive(ConnectionContext connection, byte[] payload);
}
