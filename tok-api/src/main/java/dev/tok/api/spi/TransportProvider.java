package dev.tok.api.spi;

import java.util.Set;

/**
 * Creates a {@link Transport}: one per network protocol or engine. Found with
 * {@link java.util.ServiceLoader}; a provider module declares
 * {@code provides dev.tok.api.spi.TransportProvider with ...} and ships the matching
 * {@code META-INF/services} file for the class path.
 *
 * <p>Built-in names, reserved: {@code tcp}, {@code jetty-ws}, {@code netty-ws}. tok-api refuses a
 * provider of another package that claims one, naming both classes and their jars.
 *
 * @since 0.1
 */
public interface TransportProvider {

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
     * Creates an unstarted transport.
     *
     * @param settings the validated settings
     * @return the transport
     * @throws dev.tok.api.ConfigurationException for a malformed or inconsistent value
     */
    Transport create(Settings settings);
}
