package dev.tok.api.spi;

import dev.tok.api.HubConfig;

/**
 * Creates hubs: implemented by {@code tok-core}, found with {@link java.util.ServiceLoader}.
 *
 * @since 0.1
 */
public interface HubProvider {

    /** @return the implementation's name, lowercase-dash, for example {@code core} */
    String name();

    /**
     * Creates a running hub.
     *
     * @param config the configuration; its queue (if any) is already resolved
     * @return the hub and its transport-facing side
     */
    HubRuntime create(HubConfig config);
}
