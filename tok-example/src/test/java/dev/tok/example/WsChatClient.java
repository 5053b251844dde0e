package dev.tok.example;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A WebSocket client on the JDK's java.net.http. */
final class WsChatClient extends ChatClient {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String transport;
    private final WebSocket socket;
    private volatile boolean closed;
    private volatile int closeCode = -1;

    private WsChatClient(String transport, WebSocket.Builder builder, URI uri) throws Exception {
        this.transport = transport;
        this.socket = builder.buildAsync(uri, new Listener()).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Connects with {@code ?token=}; fails the test if the server refuses. */
    static WsChatClient connect(String transport, InetSocketAddress address, String token) {
        try {
            return new WsChatClient(transport, HTTP.newWebSocketBuilder(), uri(address, token));
        } catch (Exception e) {
            throw new AssertionError(transport + ": connect as '" + token + "' failed", e);
        }
    }

    /** Connects with {@code Authorization: Bearer <token>}. */
    static WsChatClient connectBearer(String transport, InetSocketAddress address, String token) {
        try {
            return new WsChatClient(transport, HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token),
                    uri(address, null));
        } catch (Exception e) {
            throw new AssertionError(transport + ": connect with a bearer token failed", e);
        }
    }

    /**
     * Tries to connect and expects the server to refuse the upgrade.
     *
     * @param token the token, or null for none
     * @return the HTTP status of the refusal
     */
    static int refusedStatus(InetSocketAddress address, String token) throws InterruptedException, TimeoutException {
        try {
            WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(uri(address, token), new WebSocket.Listener() { })
                    .get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            ws.abort();
            throw new AssertionError("the server upgraded a connection with token " + token);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException) {
                return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
            }
            throw new AssertionError("connect failed other than by a refused upgrade", e);
        }
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
        join(socket.sendText(json, true));
    }

    @Override
    void sendBytes(byte[] payload) {
        join(socket.sendBinary(ByteBuffer.wrap(payload), true));
    }

    private static void join(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("websocket send failed", e);
        }
    }

    @Override
    boolean isClosed() {
        return closed;
    }

    /** @return the close code the server sent, or -1 */
    int closeCode() {
        return closeCode;
    }

    @Override
    public void close() {
        if (!closed) {
            socket.abort();
            closed = true;
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                inbox.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            inbox.add(new String(b, StandardCharsets.UTF_8));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            closed = true;
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed = true;
        }
    }
}
