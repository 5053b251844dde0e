package dev.tok.benchmarks.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking test client for the TCP framing: 4-byte big-endian length, then the payload. */
final class FramedClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final DataInputStream in;
    private final DataOutputStream out;

    FramedClient(InetSocketAddress server, String token) throws IOException {
        socket.connect(server, 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
        send(token);
    }

    void send(String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
        out.flush();
    }

    /** @return the next frame that is not a ping */
    String read() throws IOException {
        while (true) {
            int n = in.readInt();
            byte[] b = new byte[n];
            in.readFully(b);
            String s = new String(b, StandardCharsets.UTF_8);
            if (!s.equals("{\"type\":\"ping\"}")) {
                return s;
            }
        }
    }

    /** @return true if the server closed the connection (end of stream) */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                read();
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Confirms the login: a ttl-0 message to oneself comes back. */
    void awaitOnline(String uid) throws IOException {
        send("{\"type\":\"send\",\"to\":\"" + uid + "\",\"body\":\"self\",\"ttl\":0}");
        String echo = read();
        if (!echo.contains("\"body\":\"self\"")) {
            throw new IOException("unexpected frame before the echo: " + echo);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
