package dev.tok.testkit;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * How {@link TransportCompatibilityKit} reaches a transport: the client side of its protocol,
 * supplied by the transport's author. The kit only sends and receives whole frames (payloads),
 * so any medium fits: TCP, WebSocket, a Unix domain socket, QUIC.
 *
 * <p>Implementations must be thread-safe: the kit opens connections from several threads at
 * once.
 *
 * @since 0.1
 */
public interface TransportClient {

    /**
     * Opens a connection to a started transport and presents {@code token} as its credentials,
     * the way the transport's real clients do: a TCP-like transport sends it as the first frame,
     * a WebSocket client puts it in the upgrade request (the kit's authenticator reads the first
     * frame, else the query parameter {@code token}; see
     * {@link TransportCompatibilityKit#token(dev.tok.api.AuthRequest)}).
     *
     * <p>Returns once the connection is open; for protocols with a handshake that the server
     * answers only after authentication (an HTTP upgrade), once that handshake succeeded. It
     * need not wait for the hub to register the connection.
     *
     * @param address the address the transport reported when it started
     *                ({@link dev.tok.api.TokServer.Listener#address()})
     * @param token   the credentials, any string
     * @return the open connection
     * @throws IOException if the connection could not be opened, or the server refused it during
     *                     a handshake
     */
    ClientConnection connect(SocketAddress address, String token) throws IOException;
}
