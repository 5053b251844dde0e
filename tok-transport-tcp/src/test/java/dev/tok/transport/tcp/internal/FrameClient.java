package dev.tok.transport.tcp.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking test client speaking Go tok's TCP framing, built by hand from bytes (it shares no
 * code with the transport): a frame is 4 bytes of unsigned big-endian length, then the payload.
 */
final class FrameClient implements AutoCloseable {

    final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    FrameClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    static FrameClient connect(SocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 10_000);
        return new FrameClient(s);
    }

    /** Connects and sends {@code uid:<uid>} as the auth frame. */
    static FrameClient login(SocketAddress address, String uid) throws IOException {
        FrameClient c = connect(address);
        c.send("uid:" + uid);
        return c;
    }

    static byte[] frame(byte[] payload) {
        int n = payload.length;
        byte[] f = new byte[4 + n];
        f[0] = (byte) (n >>> 24);
        f[1] = (byte) (n >>> 16);
        f[2] = (byte) (n >>> 8);
        f[3] = (byte) n;
        System.arraycopy(payload, 0, f, 4, n);
        return f;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void send(String payload) throws IOException {
        sendRaw(frame(utf8(payload)));
    }

    void send(byte[] payload) throws IOException {
        sendRaw(frame(payload));
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one frame: four length bytes assembled by hand, then the payload. */
    byte[] readFrame() throws IOException {
        long n = ((long) in.readUnsignedByte() << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8)
                | in.readUnsignedByte();
        byte[] payload = new byte[Math.toIntExact(n)];
        in.readFully(payload);
        return payload;
    }

    String readString() throws IOException {
        return new String(readFrame(), StandardCharsets.UTF_8);
    }

    /** Reads exactly {@code n} raw bytes. */
    byte[] readRaw(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    InputStream input() {
        return in;
    }

    /**
     * Waits for the server to close: end of stream or a reset. Bytes that arrive first are skipped.
     *
     * @return how long it took
     * @throws AssertionError if the connection is still open after {@code timeout}
     */
    Duration awaitClosedByServer(Duration timeout) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] sink = new byte[8192];
        try {
            while (in.read(sink) >= 0) {
                if (System.nanoTime() - start > timeout.toNanos()) {
                    throw new AssertionError("server kept sending and did not close within " + timeout);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server did not close the connection within " + timeout);
        } catch (EOFException | SocketException e) {
            // reset by the server: closed as well
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** @return true if nothing arrives and the connection stays open for {@code d} */
    boolean staysOpenFor(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
        try {
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError("unexpected byte from server: " + b);
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
