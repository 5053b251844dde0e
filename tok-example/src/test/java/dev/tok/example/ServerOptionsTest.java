package dev.tok.example;

import static dev.tok.example.Servers.login;
import static dev.tok.example.Servers.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server options that change behaviour, on one server started with
 * {@code --ping-interval 1 --read-timeout 3 --sso false --max-frame 1024} and a queue that holds
 * two messages per user.
 */
class ServerOptionsTest {

    private static ChatServer server;

    @BeforeAll
    static void start() {
        server = Servers.start(Map.of("max-messages-per-user", "2"),
                "--ping-interval", "1", "--read-timeout", "3", "--sso", "false", "--max-frame", "1024");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    @DisplayName("--ping-interval: {\"type\":\"ping\"} every interval on every transport; clients that answer pong stay past --read-timeout")
    void pingsAndPongs() {
        ChatClient[] clients = new ChatClient[Servers.TRANSPORTS.size()];
        try {
            for (int i = 0; i < clients.length; i++) {
                clients[i] = login(server, Servers.TRANSPORTS.get(i), user("pat")).keepPings();
            }
            long start = System.nanoTime();
            for (int round = 0; round < 5; round++) {
                for (ChatClient c : clients) {
                    assertThat(c.next()).as(c.transport()).isEqualTo("{\"type\":\"ping\"}");
                    c.send("{\"type\":\"pong\"}");
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(3));
            for (ChatClient c : clients) {
                assertThat(c.isClosed()).as(c.transport()).isFalse();
                c.expectNothingPending();
            }
        } finally {
            for (ChatClient c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /**
     * TCP only: on WebSocket the transports' protocol-level pings, which every client (browsers and
     * java.net.http alike) answers by itself, count as activity, so there the read timeout drops dead
     * connections, not quiet ones.
     */
    @Test
    @DisplayName("--read-timeout: a TCP client that sends nothing (not even pong) is closed")
    void readTimeout() {
        try (ChatClient c = login(server, "tcp", user("quiet"))) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(c::isClosed);
        }
    }

    @Test
    @DisplayName("--sso false: every connection of a user gets each msg; replies go only to the asking connection")
    void ssoOff() {
        String rita = user("rita");
        String sam = user("sam");
        try (ChatClient r1 = login(server, "tcp", rita + "/phone");
             ChatClient r2 = login(server, "netty-ws", rita + "/laptop");
             ChatClient r3 = login(server, "jetty-ws", rita);
             ChatClient s = login(server, "jetty-ws", sam)) {
            s.send("{\"type\":\"send\",\"to\":\"" + rita + "\",\"body\":\"all of you\",\"cid\":\"m\"}");
            for (ChatClient r : new ChatClient[] {r1, r2, r3}) {
                assertThat(r.next()).startsWith("{\"type\":\"msg\",\"from\":\"" + sam + "\",\"body\":\"all of you\",\"ts\":");
            }
            assertThat(s.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"m\"}");

            r1.send("{\"type\":\"send\",\"to\":\"" + sam + "\",\"body\":\"from the phone\",\"cid\":\"p\"}");
            assertThat(s.next()).contains("\"body\":\"from the phone\"");
            assertThat(r1.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"p\"}");
            r2.send("not json");
            assertThat(r2.next()).startsWith("{\"type\":\"error\",\"cid\":null,\"error\":\"malformed JSON");
            // neither the ack nor the error reached the user's other connections
            r2.expectNothingPending();
            r3.expectNothingPending();
            assertThat(r1.isClosed() || r2.isClosed() || r3.isClosed()).as("no connection was closed").isFalse();
        }
    }

    @Test
    @DisplayName("--max-frame: a TCP frame above it closes the connection; a frame at it is accepted")
    void maxFrameTcp() {
        try (ChatClient c = login(server, "tcp", user("big"))) {
            String atLimit = "{\"type\":\"pong\",\"pad\":\"" + "x".repeat(1024 - 24) + "\"}";
            assertThat(atLimit).hasSize(1024);
            c.send(atLimit);
            c.expectNothingPending();
        }
        try (TcpChatClient c = (TcpChatClient) login(server, "tcp", user("big"))) {
            c.sendLengthOnly(1025);
            c.awaitClosed();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty-ws", "netty-ws"})
    @DisplayName("--max-frame: a WebSocket message above it closes the connection with 1009")
    void maxFrameWebSocket(String transport) {
        try (WsChatClient c = (WsChatClient) login(server, transport, user("big"))) {
            c.send("{\"type\":\"pong\",\"pad\":\"" + "x".repeat(1024) + "\"}");
            c.awaitClosed();
            assertThat(c.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    @DisplayName("a full queue answers error 'queue full' and delivers what it took")
    void queueFull() {
        String tom = user("tom");
        String uma = user("uma");
        try (ChatClient t = login(server, "tcp", tom)) {
            for (int i = 1; i <= 2; i++) {
                t.send("{\"type\":\"send\",\"to\":\"" + uma + "\",\"body\":" + i + ",\"cid\":\"f" + i + "\"}");
                assertThat(t.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"f" + i + "\"}");
            }
            t.send("{\"type\":\"send\",\"to\":\"" + uma + "\",\"body\":3,\"cid\":\"f3\"}");
            assertThat(t.next()).isEqualTo("{\"type\":\"error\",\"cid\":\"f3\",\"error\":\"queue full\"}");
        }
        try (ChatClient u = Servers.connect(server, "jetty-ws", uma)) {
            assertThat(u.next()).contains("\"body\":1,");
            assertThat(u.next()).contains("\"body\":2,");
            u.expectNothingPending();
        }
    }
}
