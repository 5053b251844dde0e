package dev.tok.benchmarks.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.openjdk.jmh.annotations.Param;

/**
 * The WebSocket transports' write path on its own ({@link TransportWriteBenchmark}), for
 * {@code netty-ws} and {@code jetty-ws}: the client does the upgrade by hand (the token in the
 * query), then reads and discards the frames.
 */
public class WsWriteBenchmark extends TransportWriteBenchmark {

    @Param({"netty-ws", "jetty-ws"})
    public String transportName;

    @Override
    String transportName() {
        return transportName;
    }

    @Override
    void handshake(Socket client, InetSocketAddress address) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(("GET /ws?token=x HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = headers(client.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("the upgrade was refused: " + head);
        }
    }

    /** @return the upgrade response's status line and headers, read byte by byte up to the blank line */
    private static String headers(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        char[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the upgrade response ended: " + head);
            }
            head.append((char) b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString();
    }
}
