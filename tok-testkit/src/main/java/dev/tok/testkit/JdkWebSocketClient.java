package dev.tok.testkit;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link java.net.http.WebSocket} client that records what it receives, message by message. */
final class JdkWebSocketClient implements WebSocket.Listener {

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

    final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final AtomicInteger pings = new AtomicInteger();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    WebSocket socket;

    static JdkWebSocketClient connect(HttpClient http, URI uri, Map<String, String> headers) {
        return connectAsync(http, uri, headers).join();
    }

    static CompletableFuture<JdkWebSocketClient> connectAsync(HttpClient http, URI uri, Map<String, String> headers) {
        JdkWebSocketClient client = new JdkWebSocketClient();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        return b.buildAsync(uri, client).orTimeout(20, TimeUnit.SECONDS).thenApply(ws -> {
            client.socket = ws;
            return client;
        });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(new Message(true, text.toString().getBytes(StandardCharsets.UTF_8)));
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.writeBytes(b);
        if (last) {
            messages.add(new Message(false, binary.toByteArray()));
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.incrementAndGet();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(1006);
    }

    /** @return the next message within the timeout, or null */
    Message next(Duration timeout) throws InterruptedException {
        return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isOpen() {
        return !closed.isDone() && !socket.isInputClosed();
    }

    void abort() {
        if (socket != null) {
            socket.abort();
        }
    }
}
