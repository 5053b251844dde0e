package dev.tok.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link java.net.http.WebSocket} client that records what it receives, message by message,
 * and the close status. It serves the WebSocket kit in two ways:
 *
 * <ul>
 *   <li>as the {@link TransportClient} of {@link TransportCompatibilityKit}'s cases
 *       ({@link #transportClient}): the token in the query, binary frames sent, and messages
 *       requested from the server only while {@link #receive} runs, so that a connection that is
 *       not read from applies backpressure;</li>
 *   <li>for the kit's own WebSocket cases ({@link #connect}): every message requested as soon as
 *       the previous one arrived, read with {@link #next}, the raw {@link #socket} at hand.</li>
 * </ul>
 */
final class JdkWebSocketClient implements ClientConnection, WebSocket.Listener {

    /** One whole message received. */
    static final class Message {
        final boolean text;
        final byte[] payload;

        Message(boolean text, byte[] payload) {
            this.text = text;
            this.payload = payload;
        }

        String string() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Marks the end of the stream in the queue, after every message that arrived before the close. */
    private static final Message END = new Message(false, new byte[0]);

    /** The close status received (1006 on an error). */
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** The reason text of the close frame received ("" for none or on an error); set before {@link #closed} completes. */
    volatile String closeText = "";
    /** How many WebSocket pings the server sent. */
    final AtomicInteger pings = new AtomicInteger();
    volatile WebSocket socket;

    private final boolean demandDriven;
    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    /** Demand-driven only: set while one message is requested and not complete, so no second request then. */
    private boolean demanded;
    /** Demand-driven only: the end of the stream was returned by {@link #receive}. */
    private boolean ended;

    private JdkWebSocketClient(boolean demandDriven) {
        this.demandDriven = demandDriven;
    }

    /**
     * @param http the client to connect with
     * @param path the WebSocket endpoint's path, such as {@code /ws}
     * @return a transport client connecting to {@code ws://127.0.0.1:port/path?token=...}, whose
     *         connections read only on demand
     */
    static TransportClient transportClient(HttpClient http, String path) {
        return (address, token) -> {
            URI uri = URI.create("ws://127.0.0.1:" + ((InetSocketAddress) address).getPort() + path + "?token="
                    + URLEncoder.encode(token, StandardCharsets.UTF_8));
            try {
                return connectAsync(http, uri, Map.of(), true).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to " + uri, e);
            } catch (ExecutionException e) {
                throw new IOException("WebSocket connect to " + uri + " failed", e.getCause() == null ? e : e.getCause());
            }
        };
    }

    /**
     * Connects a client that requests every message as soon as the previous one arrived.
     *
     * @throws java.util.concurrent.CompletionException if the connection failed or was refused
     */
    static JdkWebSocketClient connect(HttpClient http, URI uri, Map<String, String> headers) {
        return connectAsync(http, uri, headers, false).join();
    }

    private static CompletableFuture<JdkWebSocketClient> connectAsync(HttpClient http, URI uri, Map<String, String> headers,
            boolean demandDriven) {
        JdkWebSocketClient client = new JdkWebSocketClient(demandDriven);
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        return b.buildAsync(uri, client).orTimeout(20, TimeUnit.SECONDS).thenApply(ws -> {
            client.socket = ws;
            return client;
        });
    }

    // ---------------------------------------------------------------- WebSocket.Listener

    @Override
    public void onOpen(WebSocket webSocket) {
        if (!demandDriven) {
            webSocket.request(1);
        } // else nothing requested until receive() is called
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            String message = text.toString();
            text.setLength(0);
            complete(webSocket, new Message(true, message.getBytes(StandardCharsets.UTF_8)));
        } else {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.writeBytes(b);
        if (last) {
            byte[] message = binary.toByteArray();
            binary.reset();
            complete(webSocket, new Message(false, message));
        } else {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.incrementAndGet();
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
        closeText = reason == null ? "" : reason;
        closed.complete(statusCode);
        messages.add(END);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(1006);
        messages.add(END);
    }

    private void complete(WebSocket webSocket, Message message) {
        if (demandDriven) {
            synchronized (this) {
                demanded = false;
            }
            messages.add(message);
        } else {
            messages.add(message);
            webSocket.request(1);
        }
    }

    // ---------------------------------------------------------------- the kit's own cases

    /** @return the next message within the timeout, or null (also once the connection closed) */
    Message next(Duration timeout) throws InterruptedException {
        Message m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == END) {
            messages.add(END); // the end stays the end
            return null;
        }
        return m;
    }

    boolean isOpen() {
        return !closed.isDone() && !socket.isInputClosed();
    }

    void abort() {
        WebSocket s = socket;
        if (s != null) {
            s.abort();
        }
    }

    // ---------------------------------------------------------------- ClientConnection

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
        Message m = messages.poll();
        if (m == null) {
            if (demandDriven) {
                synchronized (this) {
                    if (!demanded) {
                        demanded = true;
                        socket.request(1);
                    }
                }
            }
            try {
                m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (m == END) {
            ended = true;
            throw new EOFException("the WebSocket is closed");
        }
        return m == null ? Optional.empty() : Optional.of(m.payload);
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
