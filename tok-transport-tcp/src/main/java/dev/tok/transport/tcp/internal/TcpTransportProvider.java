package dev.tok.transport.tcp.internal;

import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportProvider;
import java.util.Set;

/**
 * The {@link TransportProvider} named {@code tcp}: Go tok's TCP wire format (every frame is a
 * 4-byte unsigned big-endian length followed by the payload; the first frame of a connection is
 * the auth payload), on Netty, with optional TLS. Applications do not use this class directly;
 * they select the transport by name:
 *
 * <!-- sample: TcpJavadocSamples.java#provider -->
 * <pre>{@code
 * TokServer.builder(config).transport("tcp", Map.of("port", "9000")).build().start();
 * }</pre>
 *
 * <p>The settings and their defaults are listed in the module's README. Found by
 * {@link java.util.ServiceLoader}; public only for that.
 *
 * @since 0.1
 */
public final class TcpTransportProvider implements TransportProvider {

    /** The provider's name. */
    public static final String NAME = "tcp";

    /** Called by {@link java.util.ServiceLoader}. */
    public TcpTransportProvider() {
    }

    /** @return {@code tcp} */
    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @return every setting key of the {@code tcp} transport */
    @Override
    public Set<String> settingNames() {
        return TcpSettings.NAMES;
    }

    /**
     * Validates the settings (reading any TLS files) and creates an unstarted transport.
     *
     * @param settings the settings
     * @return the transport
     * @throws dev.tok.api.ConfigurationException naming the setting and the fix
     */
    @Override
    public Transport create(Settings settings) {
        return new TcpServerTransport(TcpSettings.parse(settings));
    }
}
