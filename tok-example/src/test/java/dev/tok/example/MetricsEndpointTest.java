package dev.tok.example;

import static dev.tok.example.Servers.login;
import static dev.tok.example.Servers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code --metrics-port}: Prometheus text at {@code /metrics} that shows a chat that just happened. */
class MetricsEndpointTest {

    @Test
    @DisplayName("--metrics-port: a scrape after a chat shows the sends, frames, connections and users")
    void scrapeAfterAChat() throws Exception {
        try (ChatServer server = Servers.start(Map.of(), "--metrics-port", "0")) {
            InetSocketAddress address = server.metricsAddress().orElseThrow();
            assertThat(server.startLines()).contains("tok listening metrics " + ChatServer.hostPort(address));
            String alice = user("alice");
            String bob = user("bob");
            try (ChatClient a = login(server, "tcp", alice); ChatClient b = login(server, "jetty-ws", bob)) {
                a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":\"hi\",\"cid\":\"c1\"}");
                assertThat(b.next()).contains("\"hi\"");
                assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c1\"}");
                // the write's completion, which the meters count, may follow the frame's arrival
                await().untilAsserted(() -> assertThat(scrape(address))
                        .contains("tok_sends_total{outcome=\"delivered\"} ")
                        .containsPattern("(?m)^tok_frames_total\\{direction=\"out\",transport=\"jetty-ws\"} [1-9]"));
                String text = scrape(address);
                assertThat(text)
                        .containsPattern("(?m)^tok_users_online [2-9]")
                        .containsPattern("(?m)^tok_connections\\{transport=\"tcp\"} 1\\.0$")
                        .containsPattern("(?m)^tok_connections\\{transport=\"jetty-ws\"} 1\\.0$")
                        .containsPattern("(?m)^tok_frames_total\\{direction=\"in\",transport=\"tcp\"} [1-9]")
                        .containsPattern("(?m)^tok_sends_total\\{outcome=\"delivered\"} [1-9]")
                        .containsPattern("(?m)^tok_sends_total\\{outcome=\"offline\"} 0\\.0$")
                        .containsPattern("(?m)^tok_send_duration_seconds_count\\{outcome=\"delivered\"} [1-9]")
                        .containsPattern("(?m)^tok_frame_size_bytes_sum\\{direction=\"in\",transport=\"tcp\"} [1-9]")
                        .contains("# TYPE tok_sends_total counter")
                        .doesNotContain(alice).doesNotContain(bob);
            }
            await().untilAsserted(() -> assertThat(scrape(address))
                    .containsPattern("(?m)^tok_connections_closed_total\\{reason=\"peer-closed\",transport=\"tcp\"} 1\\.0$")
                    .containsPattern("(?m)^tok_connections\\{transport=\"tcp\"} 0\\.0$"));
            HttpURLConnection other = (HttpURLConnection) uri(address, "/other").toURL().openConnection();
            assertThat(other.getResponseCode()).isEqualTo(404);
            other.disconnect();
        }
    }

    private static URI uri(InetSocketAddress address, String path) {
        return URI.create("http://" + ChatServer.hostPort(address) + path);
    }

    static String scrape(InetSocketAddress address) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri(address, "/metrics").toURL().openConnection();
        try {
            assertThat(c.getResponseCode()).isEqualTo(200);
            assertThat(c.getContentType()).startsWith("text/plain");
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }
}
