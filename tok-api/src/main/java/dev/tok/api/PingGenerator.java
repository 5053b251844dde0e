package dev.tok.api;

/**
 * Supplies the payload of server pings. Server pings are active only when a generator is
 * configured; each connection then receives one every {@link HubConfig#pingInterval()}, through
 * {@link BeforeSend}. A failed ping write ends the pings of that connection.
 *
 * <p>Called on the hub's scheduler thread: it must not block.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface PingGenerator {

    /**
     * Builds one ping payload.
     *
     * @return the payload; never null
     */
    byte[] ping();
}
