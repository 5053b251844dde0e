package dev.tok.transport.netty.ws;

import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportProvider;
import dev.tok.transport.support.WsSettings;
import java.util.Set;

/**
 * The {@code netty-ws} transport provider: WebSocket on Netty 4.2's HTTP codec and WebSocket
 * protocol handler, on epoll when available, else NIO. Found by {@link java.util.ServiceLoader}.
 *
 * @since 0.1
 */
public final class NettyWsProvider implements TransportProvider {

    static final String NAME = "netty-ws";
    private static final Set<String> NAMES = WsSettings.with("io-threads");

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public NettyWsProvider() {
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
        return NAMES;
    }

    @Override
    public Transport create(Settings settings) {
        WsSettings parsed = WsSettings.parse(settings, NAMES);
        int ioThreads = settings.integer("io-threads", 0);
        if (ioThreads < 0) {
            throw settings.malformed("io-threads", String.valueOf(ioThreads), "0 (Netty's default: twice the cores) or more");
        }
        return new NettyWsTransport(parsed, ioThreads);
    }
}
