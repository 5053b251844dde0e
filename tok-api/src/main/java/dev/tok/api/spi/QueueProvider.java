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
     * Opens a queue.
     *
     * @param settings the validated settings
     * @return the open queue
     * @throws dev.tok.api.ConfigurationException for a malformed value or an unusable location
     */
    Queue create(Settings settings);
}
