package dev.tok.api.spi;

import java.util.Set;

/**
 * Creates a {@link Transport}: one per network protocol or engine. Found with
 * {@link java.util.ServiceLoader}; a provider module declares
 * {@code provides dev.tok.api.spi.TransportProvider with ...} and ships the matching
 * {@code META-INF/services} file for the class path.
 *
 * <p>Built-in names, reserved: {@code tcp}, {@code jetty-ws}, {@code netty-ws}.
 *
 * @since 0.1
 */
public interface TransportProvider {

    /** @return the name applications select it by, lowercase-dash */
    String name();

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
