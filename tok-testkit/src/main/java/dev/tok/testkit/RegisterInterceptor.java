package dev.tok.testkit;

import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a test does when a transport registers a connection with the hub: pass it on, keep the
 * transport's {@link ConAdapter}, or refuse it by throwing, to see what the transport does then
 * (for example close the WebSocket with the right status). {@link #around} puts it between a
 * real transport and the hub.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface RegisterInterceptor {

    /**
     * Called instead of {@link TransportContext#register}, on the thread the transport registers
     * from (usually one of its I/O threads).
     *
     * @param hub     the hub's context; {@code hub.register(device, adapter)} registers for real
     * @param device  the authenticated device; not null
     * @param adapter the transport's side of the connection; not null
     * @return the hub's connection, as {@link TransportContext#register} returns it
     */
    Connection register(TransportContext hub, Device device, ConAdapter adapter);

    /**
     * @param real        the transport under test; its name, start and stop are used as they are
     * @param interceptor what its registrations go through; not null
     * @return {@code real}, with every registration going through {@code interceptor}
     */
    static Transport around(Transport real, RegisterInterceptor interceptor) {
        Objects.requireNonNull(real, "real");
        Objects.requireNonNull(interceptor, "interceptor");
        return new Transport() {
            @Override
            public String name() {
                return real.name();
            }

            @Override
            public CompletionStage<SocketAddress> start(TransportContext context) {
                return real.start(new TransportContext() {
                    @Override
                    public HubConfig config() {
                        return context.config();
                    }

                    @Override
                    public CompletionStage<Device> authenticate(AuthRequest request) {
                        return context.authenticate(request);
                    }

                    @Override
                    public Connection register(Device device, ConAdapter adapter) {
                        return interceptor.register(context, device, adapter);
                    }
                });
            }

            @Override
            public CompletionStage<Void> stop() {
                return real.stop();
            }
        };
    }
}
