package com.example.tok.transport.unix;

import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportProvider;
import java.util.Set;

/**
 * Provides the {@code unix} transport: Go tok's framing over a Unix domain socket. Found by
 * {@link java.util.ServiceLoader}; applications select it with
 * {@code TokServer.builder(config).transport("unix", Map.of("path", "/run/tok/tok.sock"))}.
 */
public final class UnixTransportProvider implements TransportProvider {

    /** The provider's name. */
    public static final String NAME = "unix";

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public UnixTransportProvider() {
    }

    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> settingNames() {
        return UnixSettings.NAMES;
    }

    @Override
    public Transport create(Settings settings) {
        return new UnixTransport(UnixSettings.from(settings));
    }
}
