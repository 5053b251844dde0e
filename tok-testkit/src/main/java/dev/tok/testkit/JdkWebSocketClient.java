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
import java.util.OptionalInt;
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
 *
 * <p>Public for tests of WebSocket servers in general (the example server's tests use it):
 * {@link #connect(HttpClient, URI, Map)}, then {@link #sendText}/{@link #send} and
 * {@link #nextMessage}, {@link #closeStatus()}, {@link #abort()} or {@link #close()}. The
 * {@link WebSocket.Listener} methods are the JDK's callbacks, not for calling.
 *
 * <p>Threads: sending and reading are for one thread at a time; {@link #isOpen()},
 * {@link #closeStatus()} and {@link #abort()} from any thread. Nulls: no parameter may be null;
 * no public method returns null.
 *
 * @since 0.1
 */
public final class JdkWebSocketClient implements ClientConnection, WebSocket.Listener {

    /**
     * One whole message received.
     *
     * @since 0.1
     */
    public static final class Message {
        final boolean text;
        final byte[] payload;

        Message(boolean text, byte[] payload) {
            this.text = text;
            this.payload = payload;
        }

        /** @return the payload decoded as UTF-8 (a text message's text) */
        public String string() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** @return true for a text message, false for a binary one */
        public boolean isText() {
            return text;
        }

        /** @return the message's payload (a text message's UTF-8 bytes); the array itself, not a copy */
        public byte[] payload() {
            return payload;
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
     * Connects a client that requests every message as soon as the previous one arrived; waits
     * up to 20 s.
     *
     * @param http the client to connect with; not null
     * @param uri the {@code ws:} or {@code wss:} address; not null
     * @param headers headers of the upgrade request, such as {@code Authorization}; not null
     * @return the open connection
     * @throws java.util.concurrent.CompletionException if the connection failed or was refused
     *         (a refused upgrade: caused by {@link java.net.http.WebSocketHandshakeException})
     */
    public static JdkWebSocketClient connect(HttpClient http, URI uri, Map<String, String> headers) {
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

    /**
     * @param timeout how long to wait; not null
     * @return the next message within the timeout; empty if none arrived, also once the
     *         connection closed and every message before the close was returned
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<Message> nextMessage(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(next(timeout));
    }

    /**
     * Sends one whole text message and waits up to 20 s until it was handed to the network.
     *
     * @param text the message; not null
     * @throws IOException if the connection is closed or the message could not be sent
     */
    public void sendText(String text) throws IOException {
        java.util.Objects.requireNonNull(text, "text");
        checkOpenForSending();
        awaitSent(socket.sendText(text, true));
    }

    private void checkOpenForSending() throws EOFException {
        if (ended || socket.isOutputClosed()) {
            throw new EOFException("the WebSocket is closed");
        }
    }

    private static void awaitSent(CompletableFuture<WebSocket> sending) throws IOException {
        try {
            sending.get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("send failed", e.getCause() == null ? e : e.getCause());
        }
    }

    /**
     * @return the status code of the close frame received (1006 after an error); empty while
     *         the connection is open
     */
    public OptionalInt closeStatus() {
        Integer status = closed.getNow(null);
        return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** @return true until the server closed the connection or it failed */
    public boolean isOpen() {
        return !closed.isDone() && !socket.isInputClosed();
    }

    /** Drops the connection at once, without a close handshake. Idempotent. */
    public void abort() {
        WebSocket s = socket;
        if (s != null) {
            s.abort();
        }
    }

    // ---------------------------------------------------------------- ClientConnection

    @Override
    public void send(byte[] payload) throws IOException {
        checkOpenForSending();
        awaitSent(socket.sendBinary(ByteBuffer.wrap(payload), true));
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
