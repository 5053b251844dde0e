package dev.tok.transport.netty.ws.internal;

import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/** Test helpers: a WebSocket upgrade by hand over a plain socket, and a transport whose registrations a test sees. */
final class RawWebSocket {

    private RawWebSocket() {
    }

    /** What a test does when the transport registers a connection with the hub. */
    interface Register {
        /**
         * @param hub     the hub's context
         * @param device  the device
         * @param adapter the transport's connection
         * @return the hub's connection
         */
        Connection register(TransportContext hub, Device device, ConAdapter adapter);
    }

    /** @return {@code real}, its registrations going through {@code register} */
    static Transport registeringThrough(Transport real, Register register) {
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
                    public CompletionStage<Device> authenticate(dev.tok.api.AuthRequest request) {
                        return context.authenticate(request);
                    }

                    @Override
                    public Connection register(Device device, ConAdapter adapter) {
                        return register.register(context, device, adapter);
                    }
                });
            }

            @Override
            public CompletionStage<Void> stop() {
                return real.stop();
            }
        };
    }

    /**
     * Sends the upgrade request for {@code /ws?token=x} and reads the response's head.
     *
     * @return the response's status line and headers, up to the blank line
     */
    static String upgrade(Socket socket, InetSocketAddress address) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws?token=x HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return headers(socket.getInputStream());
    }

    /** @return the socket's input, for reading frames after {@link #upgrade} */
    static DataInputStream frames(Socket socket) throws IOException {
        return new DataInputStream(socket.getInputStream());
    }

    private static String headers(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the upgrade response ended: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
