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
     * The tok SPI version this provider was compiled against. Implement it as
     * {@code return Spi.VERSION;} and nothing else: the constant is inlined when the provider is
     * compiled, so tok-api can tell a provider built for another version and refuse it with a
     * message instead of an {@link AbstractMethodError} later. See {@link Spi}.
     *
     * @return {@link Spi#VERSION} as it was when this provider was compiled
     */
    String spiVersion();

    /**
     * Creates a running hub.
     *
     * @param config the configuration; its queue (if any) is already resolved
     * @return the hub and its transport-facing side
     */
    HubRuntime create(HubConfig config);
}
