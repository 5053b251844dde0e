package dev.tok.api;

import java.util.Optional;

/**
 * Supplies the payload sent to a connection just before the hub closes it because a newer
 * connection of the same user logged in (single sign-on).
 *
 * <p>Called on the thread that registers the new connection (a hub worker): it must not block.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ByeGenerator {

    /** The reason given when single sign-on closes an older connection. */
    String REASON_SSO = "sso";

    /**
     * Builds the bye payload.
     *
     * @param kicker the device whose login closes the older connection
     * @param reason why the connection is closed, for example {@link #REASON_SSO}
     * @param device the device of the connection being closed
     * @return the payload, written through {@link BeforeSend}; empty to send nothing
     */
    Optional<byte[]> bye(Device kicker, String reason, Device device);
}
