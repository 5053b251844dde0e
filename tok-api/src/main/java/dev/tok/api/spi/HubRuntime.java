package dev.tok.api.spi;

import dev.tok.api.Hub;

/**
 * A hub together with the side transports talk to. Closing the hub closes both.
 *
 * @since 0.1
 */
public interface HubRuntime {

    /** @return the hub applications use */
    Hub hub();

    /** @return the context to start transports with */
    TransportContext transportContext();
}
