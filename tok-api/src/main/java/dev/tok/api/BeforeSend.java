package dev.tok.api;

/**
 * Hook applied to every outbound frame, including server pings and bye frames, before it is
 * written to a connection (encrypt, compress, frame).
 *
 * <p>Called once per connection written to, on the thread that performs the write: the
 * application thread calling {@link Hub#send} (when the user's connections are idle), a hub
 * worker (sends queued behind a drain or an earlier send, queued messages written after login),
 * the hub's scheduler thread (server pings), the thread registering a connection (bye payloads),
 * or a transport I/O thread (when a completed write starts the next one of the user). Never
 * while the hub holds a lock. It must not block: it delays every send to that user and, on an
 * I/O thread, every connection of that thread.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface BeforeSend {

    /**
     * Transforms an outbound frame.
     *
     * @param device  the receiving device; not null
     * @param payload the payload given to {@link Hub#send} (or a ping or bye payload); not null,
     *                must not be modified
     * @return the bytes written; never null
     * @throws RuntimeException to fail this write: the connection counts as not reached
     */
    byte[] beforeSend(Device device, byte[] payload);

    /**
     * Transforms an outbound message of the user's message log in
     * {@link DeliveryMode#AT_LEAST_ONCE} mode, knowing its id, so that the frame can carry it
     * (devices acknowledge by id): for example, splice {@code "id":42,} into a JSON object without
     * parsing it again. Called instead of {@link #beforeSend(Device, byte[])} for those messages,
     * on the same threads, under the same rules; pings, bye frames, replies and sends to one
     * device go through {@link #beforeSend(Device, byte[])}. A message written again after a
     * reconnect gets the same id. The default ignores the id.
     *
     * @param device  the receiving device; not null
     * @param id      the message's id, positive
     * @param payload the payload given to {@link Hub#send}; not null, must not be modified
     * @return the bytes written; never null
     * @throws RuntimeException to fail this write: the connection counts as not reached (the
     *                          message stays in the log)
     * @since 0.1
     */
    default byte[] beforeSend(Device device, long id, byte[] payload) {
        return beforeSend(device, payload);
    }
}
