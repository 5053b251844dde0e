package dev.tok.queue.chronicle;

import dev.tok.api.Device;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import dev.tok.api.spi.TransportProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test transport without sockets: it hands its TransportContext to the test, which connects
 * in-memory clients through it exactly as a real transport registers its connections.
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

    /** A connected client: records every frame written to it. */
    static final class Client implements ConAdapter {
        final List<byte[]> received = new CopyOnWriteArrayList<>();
        volatile Connection connection;
        private volatile boolean closed;

        static Client connect(String uid) {
            Client c = new Client();
            c.connection = context.register(Device.of(uid, "phone"), c);
            return c;
        }

        @Override
        public CompletionStage<Void> write(byte[] frame) {
            if (closed) {
                return CompletableFuture.failedFuture(new java.io.IOException("closed"));
            }
            received.add(frame);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close(dev.tok.api.CloseReason reason) {
            if (!closed) {
                closed = true;
                Connection c = connection;
                if (c != null) {
                    c.onClosed(reason);
                }
            }
        }

        @Override
        public String transport() {
            return "test-loopback";
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        }
    }
}
