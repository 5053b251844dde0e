package dev.tok.example;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A TCP client: every frame is a 4-byte big-endian length and the payload; the first frame is the token. */
final class TcpChatClient extends ChatClient {

    private final Socket socket;
    private final OutputStream out;
    private volatile boolean closed;

    private TcpChatClient(InetSocketAddress address, byte[] token) {
        try {
            socket = new Socket();
            socket.connect(address, 5_000);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread reader = new Thread(this::read, "tcp-client-reader");
        reader.setDaemon(true);
        reader.start();
        sendBytes(token);
    }

    /** Connects and sends the token as the first frame; does not wait for anything. */
    static TcpChatClient connect(InetSocketAddress address, String token) {
        return new TcpChatClient(address, token.getBytes(StandardCharsets.UTF_8));
    }

    static TcpChatClient connect(InetSocketAddress address, byte[] token) {
        return new TcpChatClient(address, token);
    }

    @Override
    String transport() {
        return "tcp";
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = in.readInt();
                byte[] payload = new byte[length];
                in.readFully(payload);
                inbox.add(new String(payload, StandardCharsets.UTF_8));
            }
        } catch (EOFException e) {
            // the server closed the connection
        } catch (IOException e) {
            // reset or closed locally
        } finally {
            closed = true;
        }
    }

    @Override
    void send(String json) {
        sendBytes(json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    synchronized void sendBytes(byte[] payload) {
        try {
            out.write(ByteBuffer.allocate(4).putInt(payload.length).array());
            out.write(payload);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("tcp client: write failed", e);
        }
    }

    /** Writes a length prefix without payload (to test the frame limit). */
    synchronized void sendLengthOnly(int length) {
        try {
            out.write(ByteBuffer.allocate(4).putInt(length).array());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("tcp client: write failed", e);
        }
    }

    @Override
    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
