package dev.tok.transport.netty.ws.internal;

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

    /** The provider's name. */
    public static final String NAME = "netty-ws";
    /** Setting key of {@code netty-ws} only: event-loop threads. */
    public static final String IO_THREADS = "io-threads";
    /** Every setting key. */
    public static final Set<String> NAMES = WsSettings.with(IO_THREADS);

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
        int ioThreads = settings.integer(IO_THREADS, 0);
        if (ioThreads < 0) {
            throw settings.malformed(IO_THREADS, String.valueOf(ioThreads), "0 (Netty's default: twice the cores) or more");
        }
        return new NettyWsServerTransport(parsed, ioThreads);
    }
}
