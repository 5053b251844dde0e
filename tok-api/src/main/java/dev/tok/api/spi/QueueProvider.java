package dev.tok.api.spi;

import dev.tok.api.Queue;
import java.util.Set;

/**
 * Creates a {@link Queue}. Found with {@link java.util.ServiceLoader}. Built-in names, reserved:
 * {@code memory} (the default), {@code chronicle} and {@code redis}; tok-api refuses a provider of
 * another package that claims one, naming both classes and their jars.
 *
 * @since 0.1
 */
public interface QueueProvider {

    /** @return the name applications select it by, lowercase-dash */
    String name();

    /**
     * The tok SPI version this provider was compiled against. Implement it as
     * {@code return Spi.VERSION;} and nothing else: the constant is inlined when the provider is
     * compiled, so tok-api can tell a provider built for another version and refuse it with a
     * message instead of an {@link AbstractMethodError} later. See {@link Spi}.
     *
     * @return {@link Spi#VERSION} as it was when this provider was compiled
     */
    String spiVersion();

    /** @return every setting key {@link #create} understands; others are rejected before it is called */
    Set<String> settingNames();

    /**
     * Whether every node of a cluster sees the same queue through this provider (the queue lives
     * in a shared engine, such as Redis), so that a message queued by one node is delivered by the
     * node the user logs in to next. {@code TokServer} refuses a cluster with a queue that is not
     * shared unless the application allows it ({@code allowNodeLocalQueue}).
     *
     * @return true when the queue is shared by the nodes of a cluster; false by default
     * @since 0.1
     */
    default boolean sharedByNodes() {
        return false;
    }

    /**
     * Opens a queue.
     *
     * @param settings the validated settings
     * @return the open queue
     * @throws dev.tok.api.ConfigurationException for a malformed value or an unusable location
     */
    Queue create(Settings settings);
}
