package dev.tok.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link TransportClient} of the WebSocket kit: the JDK's {@link WebSocket}, the token in the
 * query ({@code ws://host:port/ws?token=...}), one message per frame, text or binary. Messages
 * are requested from the server only while {@link ClientConnection#receive} runs, so a
 * connection that is not read from applies backpressure.
 */
final class JdkWebSocketTransportClient implements TransportClient {

    private final HttpClient http;
    private final String path;

    JdkWebSocketTransportClient(HttpClient http, String path) {
        this.http = http;
        this.path = path;
    }

    @Override
    public ClientConnection connect(SocketAddress address, String token) throws IOException {
        InetSocketAddress a = (InetSocketAddress) address;
        URI uri = URI.create("ws://127.0.0.1:" + a.getPort() + path + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        Connection c = new Connection();
        try {
            c.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, c)
                    .get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + uri, e);
        } catch (ExecutionException | CompletionException | TimeoutException e) {
            throw new IOException("WebSocket connect to " + uri + " failed", e.getCause() == null ? e : e.getCause());
        }
        return c;
    }

    /** Marks the end of the stream in the queue. */
    private static final byte[] CLOSED = new byte[0];

    private static final class Connection implements ClientConnection, WebSocket.Listener {
        private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();
        private volatile WebSocket socket;
        /** Set while one message is requested and not complete: no second request then. */
        private boolean demanded;
        private boolean ended;

        @Override
        public void onOpen(WebSocket webSocket) {
            // nothing requested until receive() is called
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                complete(text.toString().getBytes(StandardCharsets.UTF_8));
                text.setLength(0);
            } else {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                complete(partial.toByteArray());
                partial.reset();
            } else {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1); // the JDK answers with a pong; still waiting for a message
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            frames.add(CLOSED);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            frames.add(CLOSED);
        }

        private void complete(byte[] message) {
            synchronized (this) {
                demanded = false;
            }
            frames.add(message);
        }

        @Override
        public void send(byte[] payload) throws IOException {
            if (ended || socket.isOutputClosed()) {
                throw new EOFException("the WebSocket is closed");
            }
            try {
                socket.sendBinary(ByteBuffer.wrap(payload), true).get(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("send failed", e.getCause() == null ? e : e.getCause());
            }
        }

        @Override
        public Optional<byte[]> receive(Duration timeout) throws IOException {
            if (ended) {
                throw new EOFException("the WebSocket is closed");
            }
            byte[] f = frames.poll();
            if (f == null) {
                synchronized (this) {
                    if (!demanded) {
                        demanded = true;
                        socket.request(1);
                    }
                }
                try {
                    f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            if (f == CLOSED) {
                ended = true;
                throw new EOFException("the WebSocket is closed");
            }
            return Optional.ofNullable(f);
        }

        @Override
        public void close() {
            WebSocket s = socket;
            if (s == null) {
                return;
            }
            try {
                if (!s.isOutputClosed()) {
                    s.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // aborted below
            } finally {
                s.abort();
            }
        }
    }
}
