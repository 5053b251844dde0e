package com.example.tok.transport.unix;

import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.TransportClient;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The kit's client for the {@code unix} transport: a Unix domain socket speaking the 4-byte
 * length-prefixed framing, the token as the first frame. Non-blocking with a selector of its
 * own, so that {@link ClientConnection#receive} can wait with a timeout; it reads from the
 * socket only inside {@code receive}.
 */
final class UnixSocketClient implements TransportClient {

    @Override
    public ClientConnection connect(SocketAddress address, String token) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(address);
            Connection c = new Connection(channel);
            c.send(token.getBytes(StandardCharsets.UTF_8));
            return c;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    private static final class Connection implements ClientConnection {
        private final SocketChannel channel;
        private final Selector selector;
        private final SelectionKey key;
        private final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        private byte[] payload;
        private int filled;
        private boolean eof;

        Connection(SocketChannel channel) throws IOException {
            this.channel = channel;
            channel.configureBlocking(false);
            this.selector = Selector.open();
            this.key = channel.register(selector, 0);
            in.flip(); // read mode, empty
        }

        @Override
        public void send(byte[] frame) throws IOException {
            ByteBuffer[] out = {ByteBuffer.allocate(4).putInt(0, frame.length), ByteBuffer.wrap(frame)};
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out[1].hasRemaining() || out[0].hasRemaining()) {
                if (channel.write(out) == 0) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IOException("the server did not take the frame within 20 s");
                    }
                    await(SelectionKey.OP_WRITE, 100);
                }
            }
        }

        @Override
        public Optional<byte[]> receive(Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                byte[] frame = takeFrame();
                if (frame != null) {
                    return Optional.of(frame);
                }
                if (eof) {
                    throw new EOFException("closed by the server");
                }
                in.compact();
                int n;
                try {
                    n = channel.read(in);
                } finally {
                    in.flip();
                }
                if (n < 0) {
                    eof = true;
                } else if (n == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return Optional.empty();
                    }
                    await(SelectionKey.OP_READ, Math.max(1, left / 1_000_000));
                }
            }
        }

        /** @return the next whole frame from the buffer, or null */
        private byte[] takeFrame() {
            if (payload == null) {
                if (in.remaining() < 4) {
                    return null;
                }
                payload = new byte[in.getInt()];
                filled = 0;
            }
            int n = Math.min(in.remaining(), payload.length - filled);
            in.get(payload, filled, n);
            filled += n;
            if (filled < payload.length) {
                return null;
            }
            byte[] frame = payload;
            payload = null;
            return frame;
        }

        private void await(int op, long millis) throws IOException {
            key.interestOps(op);
            selector.select(millis);
            selector.selectedKeys().clear();
            key.interestOps(0);
        }

        @Override
        public void close() {
            try {
                selector.close();
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
