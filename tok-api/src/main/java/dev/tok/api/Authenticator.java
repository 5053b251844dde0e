package dev.tok.api;

import java.util.concurrent.CompletionStage;

/**
 * The application's authentication: one implementation serves every transport.
 *
 * <p>Called on a hub worker thread, never on a transport I/O thread, so a blocking lookup is
 * acceptable; an asynchronous one should return an incomplete stage instead of blocking.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Decides whether a connection may join the hub.
     *
     * @param request what the connection presented: its first frame (TCP) or its HTTP upgrade
     *                request (WebSocket)
     * @return a stage that completes with the connection's device, or completes exceptionally
     *         (preferably with {@link AuthenticationException}) to reject it. A rejected
     *         connection is closed; a WebSocket upgrade is refused with the exception's status.
     */
    CompletionStage<Device> authenticate(AuthRequest request);
}
