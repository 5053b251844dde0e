package dev.tok.api.spi;

import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import java.util.concurrent.CompletionStage;

/**
 * The hub as a transport sees it. Thread-safe; every method may be called from an I/O thread
 * and never blocks.
 *
 * @since 0.1
 */
public interface TransportContext {

    /** @return the hub's configuration: auth, read and write timeouts, ping settings */
    HubConfig config();

    /**
     * Runs the application's authenticator on a hub worker thread.
     *
     * @param request what the connection presented; not null
     * @return a stage completing with the device, or exceptionally with the rejection (an
     *         {@link dev.tok.api.AuthenticationException} when the authenticator gave one) or
     *         {@link dev.tok.api.HubClosedException}
     */
    CompletionStage<Device> authenticate(AuthRequest request);

    /**
     * Makes an authenticated connection online. With single sign-on, the user's older
     * connections receive the bye payload and are closed; queued messages for the user are
     * then written to the new connection.
     *
     * @param device  the authenticated device; not null
     * @param adapter the transport's side of the connection; not null
     * @return the hub's side, to which the transport pushes frames and the close
     * @throws dev.tok.api.HubClosedException if the hub is closed (close the connection)
     * @throws dev.tok.api.ConnectionLimitException if the user already holds the most connections
     *                                              allowed (close with
     *                                              {@link dev.tok.api.CloseReason#CONNECTION_LIMIT});
     *                                              any other exception is a server error
     */
    Connection register(Device device, ConAdapter adapter);
}
