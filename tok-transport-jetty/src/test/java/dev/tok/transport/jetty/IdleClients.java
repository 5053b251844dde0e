package dev.tok.transport.jetty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate process for {@link IdleConnectionHeapTest}: opens WebSocket connections with raw
 * sockets (one at a time, each upgrade answered before the next), prints {@code ready n}, keeps
 * them idle until its standard input ends, then exits. Only {@code java.base}, so that it runs on
 * the class path of a plain {@code java} command; in its own process, so that the test's heap
 * holds only the server's side of each connection.
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
        byte[] upgrade = ("GET /ws?token=x HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<Socket> open = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(upgrade);
            out.flush();
            String head = head(socket.getInputStream());
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

    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
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
