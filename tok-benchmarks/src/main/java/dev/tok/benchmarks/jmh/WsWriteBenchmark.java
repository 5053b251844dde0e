package dev.tok.benchmarks.jmh;

import dev.tok.testkit.RawWebSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
        String head = RawWebSocket.upgrade(client, address, "/ws?token=x");
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("the upgrade was refused: " + head);
        }
    }
}
