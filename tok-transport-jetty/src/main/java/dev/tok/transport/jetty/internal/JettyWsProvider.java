package dev.tok.transport.jetty.internal;

import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportProvider;
import dev.tok.transport.support.WsSettings;
import java.util.Set;

/**
 * The {@code jetty-ws} transport provider: WebSocket on Jetty 12's core API. Found by
 * {@link java.util.ServiceLoader}.
 *
 * @since 0.1
 */
public final class JettyWsProvider implements TransportProvider {

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public JettyWsProvider() {
    }

    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public String name() {
        return JettyWsCore.NAME;
    }

    @Override
    public Set<String> settingNames() {
        return WsSettings.COMMON_NAMES;
    }

    @Override
    public Transport create(Settings settings) {
        WsSettings parsed = WsSettings.parse(settings, WsSettings.COMMON_NAMES);
        return new JettyWsServerTransport(parsed, settings.asMap(), WsSettings.CONNECTOR_NAMES);
    }
}
