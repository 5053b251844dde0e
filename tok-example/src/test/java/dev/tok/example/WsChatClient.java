package dev.tok.example;

import dev.tok.testkit.JdkWebSocketClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;

/** A WebSocket client of the example server: the testkit's {@link JdkWebSocketClient} with the example's URIs and tokens. */
final class WsChatClient extends ChatClient {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String transport;
    private final JdkWebSocketClient socket;

    private WsChatClient(String transport, URI uri, Map<String, String> headers) {
        this.transport = transport;
        this.socket = JdkWebSocketClient.connect(HTTP, uri, headers);
    }

    /** Connects with {@code ?token=}; fails the test if the server refuses. */
    static WsChatClient connect(String transport, InetSocketAddress address, String token) {
        try {
            return new WsChatClient(transport, uri(address, token), Map.of());
        } catch (CompletionException e) {
            throw new AssertionError(transport + ": connect as '" + token + "' failed", e);
        }
    }

    /** Connects with {@code Authorization: Bearer <token>}. */
    static WsChatClient connectBearer(String transport, InetSocketAddress address, String token) {
        try {
            return new WsChatClient(transport, uri(address, null), Map.of("Authorization", "Bearer " + token));
        } catch (CompletionException e) {
            throw new AssertionError(transport + ": connect with a bearer token failed", e);
        }
    }

    /**
     * Tries to connect and expects the server to refuse the upgrade.
     *
     * @param token the token, or null for none
     * @return the HTTP status of the refusal
     */
    static int refusedStatus(InetSocketAddress address, String token) {
        JdkWebSocketClient ws;
        try {
            ws = JdkWebSocketClient.connect(HTTP, uri(address, token), Map.of());
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException) {
                return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
            }
            throw new AssertionError("connect failed other than by a refused upgrade", e);
        }
        ws.abort();
        throw new AssertionError("the server upgraded a connection with token " + token);
    }

    static URI uri(InetSocketAddress address, String token) {
        String query = token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        return URI.create("ws://" + address.getHostString() + ":" + address.getPort() + "/ws" + query);
    }

    @Override
    String transport() {
        return transport;
    }

    @Override
    void send(String json) {
        try {
            socket.sendText(json);
        } catch (IOException e) {
            throw new AssertionError("websocket send failed", e);
        }
    }

    @Override
    void sendBytes(byte[] payload) {
        try {
            socket.send(payload);
        } catch (IOException e) {
            throw new AssertionError("websocket send failed", e);
        }
    }

    /** Text and binary messages alike, as UTF-8 text. */
    @Override
    String poll(long timeoutNanos) throws InterruptedException {
        return socket.nextMessage(Duration.ofNanos(timeoutNanos)).map(JdkWebSocketClient.Message::string).orElse(null);
    }

    @Override
    boolean isClosed() {
        return !socket.isOpen();
    }

    /** @return the close code the server sent, or -1 */
    int closeCode() {
        return socket.closeStatus().orElse(-1);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
