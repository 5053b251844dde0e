package dev.tok.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * jetty-ws mounted into an application's Jetty server inside a context, talked to with Jetty's
 * own WebSocket client (permessage-deflate, partial messages).
 */
class JettyMountTest {

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private Server server;
    private WebSocketClient client;
    private JettyWebSocketMount mount;
    private int port;

    @BeforeEach
    void startApplication() throws Exception {
        mount = JettyWebSocketMount.create(Map.of("path", "/chat", "permessage-deflate", "true"));
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ContextHandler tokContext = new ContextHandler(mount.handler(), "/tok");
        server.setHandler(new Handler.Sequence(tokContext, new AppHandler()));
        server.start();
        port = connector.getLocalPort();
        client = new WebSocketClient();
        client.setMaxTextMessageSize(1024 * 1024);
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        server.stop();
    }

    private TokServer startTok() {
        HubConfig config = HubConfig.builder()
                .actor((connection, payload) -> received.add(connection.device().uid() + ":" + new String(payload, StandardCharsets.UTF_8)))
                .authenticator(r -> CompletableFuture.completedFuture(Device.of(r.queryParameter("uid").orElse("anon"), "d")))
                .readTimeout(Duration.ofMinutes(1))
                .build();
        return TokServer.builder(config).transport(mount.transport()).build().start();
    }

    @Test
    @DisplayName("tok and the application share one port: the app keeps its paths, tok answers at context + path")
    void sharesThePort() throws Exception {
        assertThat(status("/app")).isEqualTo(200);
        assertThat(status("/tok/chat")).as("no tok before start: the request falls through").isEqualTo(404);
        try (TokServer tok = startTok()) {
            assertThat(tok.listeners().get(0).address()).isEqualTo(new InetSocketAddress("127.0.0.1", port));
            Endpoint endpoint = new Endpoint();
            ClientUpgradeRequest request = new ClientUpgradeRequest();
            request.addExtensions("permessage-deflate");
            Session session = client.connect(endpoint, URI.create("ws://127.0.0.1:" + port + "/tok/chat?uid=carol"), request)
                    .get(10, TimeUnit.SECONDS);
            assertThat(session.getUpgradeResponse().getExtensions()).extracting(e -> e.getName()).contains("permessage-deflate");
            await().atMost(Duration.ofSeconds(10)).until(() -> tok.hub().isOnline("carol"));

            CompletableFuture<Void> sent = new CompletableFuture<>();
            session.sendPartialText("hello ", false, Callback.from(() -> { }, sent::completeExceptionally));
            session.sendPartialText("from jetty", true, Callback.from(() -> sent.complete(null), sent::completeExceptionally));
            sent.get(10, TimeUnit.SECONDS);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("carol:hello from jetty");

            String big = "tok ".repeat(20_000);
            tok.hub().send("carol", big.getBytes(StandardCharsets.UTF_8), Duration.ZERO).toCompletableFuture().get(10, TimeUnit.SECONDS);
            String got = endpoint.texts.poll(10, TimeUnit.SECONDS);
            assertThat(got).isNotNull().hasSize(big.length());
            assertThat(got.equals(big)).as("the 80 KB message arrived intact").isTrue();
            assertThat(status("/app")).isEqualTo(200);
            tok.close();
            assertThat(endpoint.closeStatus.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
        }
        assertThat(status("/app")).as("the application outlives tok").isEqualTo(200);
        assertThatThrownBy(() -> client.connect(new Endpoint(), URI.create("ws://127.0.0.1:" + port + "/tok/chat?uid=late"))
                .get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(UpgradeException.class)
                .hasMessageContaining("503");
    }

    @Test
    @DisplayName("host, port and TLS settings are refused when mounted: they belong to the application's connectors")
    void connectorSettingsRefused() {
        for (String key : new String[] {"host", "port", "tls-keystore", "tls-cert"}) {
            assertThatThrownBy(() -> JettyWebSocketMount.create(Map.of(key, "x")))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("'" + key + "'")
                    .hasMessageContaining("connectors");
        }
    }

    @Test
    @DisplayName("a mount whose handler is in no server cannot be started")
    void mountOutsideAServer() {
        JettyWebSocketMount orphan = JettyWebSocketMount.create(Map.of());
        HubConfig config = HubConfig.builder().actor((d, p) -> { }).authenticator(r -> new CompletableFuture<>())
                .readTimeout(Duration.ofMinutes(1)).build();
        assertThatThrownBy(() -> TokServer.builder(config).transport(orphan.transport()).build().start())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not part of a Jetty Server");
    }

    private int status(String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return Integer.parseInt(line.toString().split(" ")[1]);
        }
    }

    /** A Jetty client endpoint; public because Jetty reaches endpoints through a public lookup. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();

        @Override
        public void onWebSocketText(String message) {
            texts.add(message);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeStatus.complete(statusCode);
        }
    }
}
