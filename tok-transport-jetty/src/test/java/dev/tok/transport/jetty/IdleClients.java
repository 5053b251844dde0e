package dev.tok.transport.jetty;

import dev.tok.testkit.RawWebSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate process for {@link IdleConnectionHeapTest}: opens WebSocket connections with raw
 * sockets (one at a time, each upgrade answered before the next, by the testkit's
 * {@link RawWebSocket#upgrade}), prints {@code ready n}, keeps them idle until its standard input
 * ends, then exits. It needs only the test classes and the testkit on the class path of a plain
 * {@code java} command; in its own process, so that the test's heap holds only the server's side
 * of each connection.
 */
public final class IdleClients {

    private IdleClients() {
    }

    /**
     * @param args host, port, number of connections
     * @throws IOException if a connection or an upgrade fails
     */
    public static void main(String[] args) throws IOException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        List<Socket> open = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(10_000);
            String head = RawWebSocket.upgrade(socket, new InetSocketAddress(host, port), "/ws?token=x");
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("connection " + i + " was not upgraded: " + head);
            }
            open.add(socket);
        }
        System.out.println("ready " + open.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // idle until the test closes our standard input
        }
        for (Socket s : open) {
            s.close();
        }
    }
}
