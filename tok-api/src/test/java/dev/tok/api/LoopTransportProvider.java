package dev.tok.api;

import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import dev.tok.api.spi.TransportProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Test providers for lookup errors; they bind nothing. */
public class LoopTransportProvider implements TransportProvider {

    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public String name() {
        return "loop";
    }

    @Override
    public Set<String> settingNames() {
        return Set.of("port");
    }

    @Override
    public Transport create(Settings settings) {
        int port = settings.integer("port", 0);
        return new Transport() {
            @Override
            public String name() {
                return "loop";
            }

            @Override
            public CompletionStage<SocketAddress> start(TransportContext context) {
                return CompletableFuture.completedFuture(new InetSocketAddress(port));
            }

            @Override
            public CompletionStage<Void> stop() {
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    /** One of two providers with the same name. */
    public static class Twin extends LoopTransportProvider {
        @Override
        public String name() {
            return "twin";
        }
    }

    /** The other one. */
    public static class OtherTwin extends Twin {
    }
}
