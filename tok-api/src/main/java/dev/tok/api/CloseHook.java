package dev.tok.api;

/**
 * Hook called exactly once for every connection, after it was closed, whoever closed it (the
 * peer, a timeout, single sign-on, {@link Hub#kick}, {@link Hub#close}).
 *
 * <p>Called on a hub worker thread; may block briefly.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface CloseHook {

    /**
     * Observes a closed connection.
     *
     * @param device the device of the closed connection
     * @param reason why it was closed: the first of the hub's own reason (single sign-on, kick,
     *               shutdown, read timeout) and the transport's (peer closed, slow consumer, frame
     *               too large, ...); never null
     */
    void onClose(Device device, CloseReason reason);
}
