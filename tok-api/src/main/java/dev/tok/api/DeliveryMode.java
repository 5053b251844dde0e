package dev.tok.api;

/**
 * How far the hub goes to get a message to a device; set with
 * {@link HubConfig.Builder#delivery(DeliveryMode)} (key {@code delivery}: {@code at-most-once} or
 * {@code at-least-once}).
 *
 * @since 0.1
 */
public enum DeliveryMode {

    /**
     * A message counts as delivered once its connection's transport wrote it (handed it to the
     * kernel). What sat in socket buffers when a connection dropped is lost; a message for an
     * offline user with a positive ttl waits in the {@link Queue} and is written at the user's next
     * login, then removed. The default: no ids, no acknowledgements, no extra cost.
     */
    AT_MOST_ONCE,

    /**
     * Every message accepted for a user gets an id, increasing per user, and is kept in the
     * {@link Queue} (the user's message log) until every device of the user that the queue knows
     * acknowledged it ({@link ConnectionContext#acknowledge(long)}) or it expires. Each device has
     * a cursor, the last id it acknowledged: a device that connects first receives, in order and
     * with their original ids, every retained message after its cursor, then live ones. A message
     * written to a connection that closes before the device acknowledged it is written again on
     * the device's next connection: messages can be duplicated (a device must drop ids it has
     * seen), never lost while retained. Writes to a connection stop at its in-flight window
     * ({@link HubConfig#maxInflightMessages()}, {@link HubConfig#maxInflightBytes()}); the rest
     * waits in the log. Needs a queue.
     */
    AT_LEAST_ONCE
}
