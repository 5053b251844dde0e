package dev.tok.testkit;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link TransportClient} for Go tok's TCP wire format over plain TCP: every frame is a 4-byte
 * unsigned big-endian length, then the payload; the token is the first frame. Works with the
 * built-in {@code tcp} transport and any transport speaking that format over TCP.
 *
 * <p>Blocking sockets; a connection reads only inside {@link ClientConnection#receive}.
 *
 * @since 0.1
 */
public final class FramedSocketClient implements TransportClient {

    private final int receiveBufferSize;

    /** A client with the operating system's default socket buffers. */
    public FramedSocketClient() {
        this(0);
    }

    /**
     * @param receiveBufferSize the sockets' receive buffer size ({@code SO_RCVBUF}) in bytes, set
     *                          before connecting; 0 for the operating system's default
     */
    public FramedSocketClient(int receiveBufferSize) {
        this.receiveBufferSize = receiveBufferSize;
    }

    @Override
    public ClientConnection connect(SocketAddress address, String token) throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBufferSize > 0) {
                socket.setReceiveBufferSize(receiveBufferSize);
            }
            socket.setTcpNoDelay(true);
            socket.connect(address, 10_000);
            Connection c = new Connection(socket);
            c.send(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return c;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static final class Connection implements ClientConnection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] header = new byte[4];
        private int headerFilled;
        private byte[] payload;
        private int payloadFilled;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.in = socket.getInputStream();
        }

        @Override
        public void send(byte[] frame) throws IOException {
            int n = frame.length;
            byte[] bytes = new byte[4 + n];
            bytes[0] = (byte) (n >>> 24);
            bytes[1] = (byte) (n >>> 16);
            bytes[2] = (byte) (n >>> 8);
            bytes[3] = (byte) n;
            System.arraycopy(frame, 0, bytes, 4, n);
            out.write(bytes);
            out.flush();
        }

        @Override
        public Optional<byte[]> receive(Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                // A partly read frame survives a timeout: the state is kept in the fields.
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                try {
                    if (headerFilled < 4) {
                        int r = in.read(header, headerFilled, 4 - headerFilled);
                        if (r < 0) {
                            throw new EOFException("closed by the server");
                        }
                        headerFilled += r;
                        if (headerFilled == 4) {
                            long length = ((header[0] & 0xFFL) << 24) | ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8)
                                    | (header[3] & 0xFF);
                            payload = new byte[Math.toIntExact(length)];
                            payloadFilled = 0;
                        }
                    } else {
                        int r = in.read(payload, payloadFilled, payload.length - payloadFilled);
                        if (r < 0) {
                            throw new EOFException("closed by the server in the middle of a frame");
                        }
                        payloadFilled += r;
                    }
                    if (headerFilled == 4 && payloadFilled == payload.length) {
                        byte[] frame = payload;
                        headerFilled = 0;
                        payload = null;
                        return Optional.of(frame);
                    }
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() - deadline >= 0) {
                        return Optional.empty();
                    }
                }
            }
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
}
