package dev.tok.api.spi;

import dev.tok.api.Queue;
import java.util.Set;

/**
 * Creates a {@link Queue}. Found with {@link java.util.ServiceLoader}. Built-in names, reserved:
 * {@code memory} (the default) and {@code chronicle}.
 *
 * @since 0.1
 */
public interface QueueProvider {

    /** @return the name applications select it by, lowercase-dash */
    String name();

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
