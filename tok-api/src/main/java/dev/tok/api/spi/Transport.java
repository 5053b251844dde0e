package dev.tok.api.spi;

import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * A network listener that authenticates connections through its {@link TransportContext},
 * registers them with the hub, pushes their inbound frames to it and writes what the hub sends.
 *
 * @since 0.1
 */
public interface Transport {

    /** @return the provider's name, for example {@code tcp} */
    String name();

    /**
     * Binds and starts accepting connections. A transport starts once: a second call returns a
     * stage failed with {@link IllegalStateException} and the message
     * {@code transport '<name>' already started; a Transport starts once}, the same for every
     * transport (the compatibility kit checks it). Must not block: binding may complete the
     * stage later.
     *
     * @param context the hub side; not null
     * @return a stage completing with the bound address (the real port when 0 was asked), or
     *         exceptionally when binding failed
     */
    CompletionStage<SocketAddress> start(TransportContext context);

    /**
     * Stops gracefully: stops accepting, closes every connection, releases the port. Completes
     * within a bounded time even with connections open. Idempotent.
     *
     * @return a stage completing when everything is released
     */
    CompletionStage<Void> stop();
}
