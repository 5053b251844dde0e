package dev.tok.queue.chronicle;

import dev.tok.api.Device;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import dev.tok.api.spi.TransportProvider;
import dev.tok.testkit.InMemoryConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A test transport without sockets: it hands its TransportContext to the test, which connects
 * in-memory clients ({@link InMemoryConnection}) through it exactly as a real transport
 * registers its connections.
 */
public final class LoopbackTransportProvider implements TransportProvider {

    static volatile TransportContext context;

    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public String name() {
        return "test-loopback";
    }

    @Override
    public Set<String> settingNames() {
        return Set.of();
    }

    @Override
    public Transport create(Settings settings) {
        return new Transport() {
            @Override
            public String name() {
                return "test-loopback";
            }

            @Override
            public CompletionStage<SocketAddress> start(TransportContext ctx) {
                context = ctx;
                return CompletableFuture.completedFuture(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            }

            @Override
            public CompletionStage<Void> stop() {
                context = null;
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    /**
     * Connects an in-memory client that records every frame written to it and completes each
     * write at once.
     */
    static InMemoryConnection connect(String uid) {
        return InMemoryConnection.inline().registerWith(context, Device.of(uid, "phone"));
    }
}
