package com.example.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Hub;
import dev.tok.spring.boot.starter.TokHealthIndicator;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.JdkWebSocketClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The application as it runs, with both transports on free ports (port 0; the starter publishes the
 * real ones as local.tok.port.tcp and local.tok.port.netty-ws): alice over TCP and bob over
 * WebSocket chat with each other.
 */
@SpringBootTest(properties = {"tok.transport.tcp.port=0", "tok.transport.netty-ws.port=0"})
class ChatApplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Value("${local.tok.port.tcp}")
    int tcpPort;

    @Value("${local.tok.port.netty-ws}")
    int wsPort;

    @Autowired
    Hub hub;

    @Autowired
    TokHealthIndicator health;

    @Autowired
    MeterRegistry meters;

    @Test
    void aliceOverTcpAndBobOverWebSocketChat() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (ClientConnection alice = new FramedSocketClient().connect(new InetSocketAddress("127.0.0.1", tcpPort), "alice");
             JdkWebSocketClient bob = JdkWebSocketClient.connect(http,
                     URI.create("ws://127.0.0.1:" + wsPort + "/ws?token=bob"), Map.of())) {
            await().atMost(WAIT).until(() -> hub.isOnline("alice") && hub.isOnline("bob"));

            alice.send("send bob hello over tcp".getBytes(UTF_8));
            assertThat(text(bob.receive(WAIT).orElseThrow())).isEqualTo("msg alice hello over tcp");
            assertThat(text(alice.receive(WAIT).orElseThrow())).isEqualTo("ack");

            bob.send("send alice hi over websocket".getBytes(UTF_8));
            assertThat(text(alice.receive(WAIT).orElseThrow())).isEqualTo("msg bob hi over websocket");
            assertThat(text(bob.receive(WAIT).orElseThrow())).isEqualTo("ack");

            bob.send("online".getBytes(UTF_8));
            assertThat(text(bob.receive(WAIT).orElseThrow())).isEqualTo("online alice,bob");

            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            assertThat(meters.get("tok.connections").tag("transport", "netty-ws").gauge().value()).isEqualTo(1.0);
        }
    }

    private static String text(byte[] b) {
        return new String(b, UTF_8);
    }
}
