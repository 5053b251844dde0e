package dev.tok.api;

import java.util.Optional;

/**
 * Supplies the payload sent to a connection just before the hub closes it because a newer
 * connection of the same user logged in (single sign-on, {@link #REASON_SSO}), or because the
 * server shuts down ({@link #REASON_SHUTDOWN}, {@link Hub#close(java.time.Duration)}).
 *
 * <p>For single sign-on, called on the thread that registers the new connection with the hub,
 * after the hub released its locks: in practice a transport I/O thread (the event loop that
 * completed the login, or the WebSocket engine's thread that finished the upgrade), sometimes the
 * thread that completed the {@link Authenticator}'s stage. Not a hub worker. It must not block:
 * it delays that connection's login and every other connection of that I/O thread. For a
 * shutdown, called on the thread closing the hub.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ByeGenerator {

    /** The reason given when single sign-on closes an older connection. */
    String REASON_SSO = "sso";

    /**
     * The reason given when the server shuts down ({@link Hub#close(java.time.Duration)}): a
     * client should reconnect, to another node if there is one. The kicker is then the device
     * of the connection itself.
     */
    String REASON_SHUTDOWN = "shutdown";

    /**
     * Builds the bye payload.
     *
     * @param kicker the device whose login closes the older connection (for
     *               {@link #REASON_SHUTDOWN}: {@code device}; in a cluster, for a login the engine
     *               reported: the user with device id {@code "@" + nodeId} and metadata
     *               {@code node}, as the engine does not carry the device); not null
     * @param reason why the connection is closed, for example {@link #REASON_SSO}; not null
     * @param device the device of the connection being closed; not null
     * @return the payload, written through {@link BeforeSend}; empty to send nothing; never null
     */
    Optional<byte[]> bye(Device kicker, String reason, Device device);
}
