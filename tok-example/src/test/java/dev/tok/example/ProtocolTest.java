package dev.tok.example;

import static dev.tok.example.Servers.connect;
import static dev.tok.example.Servers.login;
import static dev.tok.example.Servers.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rule of the chat protocol against the real server (default options, free ports), with real
 * TCP and WebSocket clients.
 */
class ProtocolTest {

    private static ChatServer server;

    @BeforeAll
    static void start() {
        server = Servers.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Matcher msg(String frame) {
        Matcher m = Pattern.compile("\\{\"type\":\"msg\",\"from\":\"([^\"]+)\",\"body\":(.*),\"ts\":(\\d+)}").matcher(frame);
        assertThat(m.matches()).as("a msg frame: %s", frame).isTrue();
        return m;
    }

    static Stream<Arguments> transportPairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (String from : Servers.TRANSPORTS) {
            for (String to : Servers.TRANSPORTS) {
                pairs.add(Arguments.of(from, to));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("transportPairs")
    @DisplayName("a user on any transport messages a user on any transport: msg to the recipient, ack to the sender")
    void crossTransportDelivery(String fromTransport, String toTransport) {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = login(server, fromTransport, alice); ChatClient b = login(server, toTransport, bob)) {
            long before = System.currentTimeMillis();
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":{\"text\":\"hi\"},\"cid\":\"c1\"}");
            Matcher m = msg(b.next());
            long after = System.currentTimeMillis();
            assertThat(m.group(1)).isEqualTo(alice);
            assertThat(m.group(2)).isEqualTo("{\"text\":\"hi\"}");
            assertThat(Long.parseLong(m.group(3))).isBetween(before, after);
            assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c1\"}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"plain text\"", "42", "-0.5", "1.50", "12345678901234567890123", "1E+400", "true", "null",
        "[1,\"two\",{\"three\":[]}]", "{\"nested\":{\"deep\":[null,false,0]},\"emoji\":\"\uD83D\uDE00 \u00e9\\n\\\"\"}", "\"\""})
    @DisplayName("the body reaches the recipient as sent, whatever JSON it is")
    void bodyAsSent(String body) {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = login(server, "tcp", alice); ChatClient b = login(server, "jetty-ws", bob)) {
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":" + body + "}");
            assertThat(msg(b.next()).group(2)).isEqualTo(body);
        }
    }

    @Test
    @DisplayName("a send without cid gets no ack; the message is still delivered")
    void noCidNoAck() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = login(server, "netty-ws", alice); ChatClient b = login(server, "tcp", bob)) {
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":\"x\"}");
            assertThat(msg(b.next()).group(2)).isEqualTo("\"x\"");
            a.expectNothingPending();
        }
    }

    @Test
    @DisplayName("ttl 0 to an offline user: error 'offline' with the cid, nothing stored")
    void ttlZeroOffline() {
        String alice = user("alice");
        String carol = user("carol");
        try (ChatClient a = login(server, "tcp", alice)) {
            a.send("{\"type\":\"send\",\"to\":\"" + carol + "\",\"body\":\"now or never\",\"ttl\":0,\"cid\":\"z\"}");
            assertThat(a.next()).isEqualTo("{\"type\":\"error\",\"cid\":\"z\",\"error\":\"offline\"}");
            a.send("{\"type\":\"send\",\"to\":\"" + carol + "\",\"body\":\"no cid\",\"ttl\":0}");
            assertThat(a.next()).isEqualTo("{\"type\":\"error\",\"cid\":null,\"error\":\"offline\"}");
        }
        try (ChatClient c = login(server, "tcp", carol)) {
            c.expectNothingPending();
        }
    }

    @Test
    @DisplayName("ttl 0 to an online user is delivered and acknowledged")
    void ttlZeroOnline() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = login(server, "jetty-ws", alice); ChatClient b = login(server, "netty-ws", bob)) {
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":1,\"ttl\":0,\"cid\":\"t0\"}");
            assertThat(msg(b.next()).group(2)).isEqualTo("1");
            assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"t0\"}");
        }
    }

    @Test
    @DisplayName("messages to an offline user are acked when queued and delivered in order, with their accept time, at login")
    void offlineDeliveryAfterLogin() {
        String alice = user("alice");
        String dave = user("dave");
        List<Long> sentBetween = new ArrayList<>();
        try (ChatClient a = login(server, "tcp", alice)) {
            for (int i = 1; i <= 3; i++) {
                sentBetween.add(System.currentTimeMillis());
                a.send("{\"type\":\"send\",\"to\":\"" + dave + "\",\"body\":" + i + ",\"cid\":\"q" + i + "\"}");
                assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"q" + i + "\"}");
            }
            sentBetween.add(System.currentTimeMillis());
        }
        for (String transport : List.of("netty-ws")) {
            try (ChatClient d = connect(server, transport, dave)) {
                for (int i = 1; i <= 3; i++) {
                    Matcher m = msg(d.next());
                    assertThat(m.group(1)).isEqualTo(alice);
                    assertThat(m.group(2)).isEqualTo(Integer.toString(i));
                    assertThat(Long.parseLong(m.group(3))).isBetween(sentBetween.get(i - 1), sentBetween.get(i));
                }
                d.expectNothingPending();
            }
        }
        try (ChatClient d = login(server, "jetty-ws", dave)) {
            d.expectNothingPending();
        }
    }

    @Test
    @DisplayName("a queued message whose ttl ran out is not delivered; a later one with a longer ttl is")
    void ttlExpiry() {
        String alice = user("alice");
        String erin = user("erin");
        long acked;
        try (ChatClient a = login(server, "jetty-ws", alice)) {
            a.send("{\"type\":\"send\",\"to\":\"" + erin + "\",\"body\":\"expires\",\"ttl\":1,\"cid\":\"e1\"}");
            assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"e1\"}");
            acked = System.currentTimeMillis(); // the server accepted it before this
            a.send("{\"type\":\"send\",\"to\":\"" + erin + "\",\"body\":\"stays\",\"cid\":\"e2\"}");
            assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"e2\"}");
        }
        // the condition is the clock itself: more than one second after the first message was accepted
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> System.currentTimeMillis() > acked + 1_100);
        try (ChatClient e = connect(server, "tcp", erin)) {
            assertThat(msg(e.next()).group(2)).isEqualTo("\"stays\"");
            e.expectNothingPending();
        }
    }

    @Test
    @DisplayName("online lists the online users, sorted")
    void onlineSorted() {
        String prefix = user("z");
        List<ChatClient> clients = new ArrayList<>();
        try {
            for (String n : List.of("m", "b", "x", "a")) {
                clients.add(login(server, "tcp", prefix + n));
            }
            ChatClient asker = clients.get(0);
            asker.send("{\"type\":\"online\"}");
            String frame = asker.next();
            assertThat(frame).matches("\\{\"type\":\"online\",\"users\":\\[(\"[A-Za-z0-9_.-]+\",?)*]}");
            List<String> users = new ArrayList<>();
            ChatClient.parse(frame).get("users").forEach(u -> users.add(u.asText()));
            assertThat(users).isSorted().contains(prefix + "a", prefix + "b", prefix + "m", prefix + "x");
        } finally {
            clients.forEach(ChatClient::close);
        }
    }

    @Test
    @DisplayName("pong is accepted and answered with nothing")
    void pongAnswersNothing() {
        try (ChatClient a = login(server, "jetty-ws", user("alice"))) {
            a.send("{\"type\":\"pong\"}");
            a.expectNothingPending();
        }
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("not json", null, "malformed JSON: "),
                Arguments.of("{\"type\":\"send\"", null, "malformed JSON: "),
                Arguments.of("{} {}", null, "malformed JSON: "),
                Arguments.of("{\"type\":\"online\",\"type\":\"send\"}", null, "malformed JSON: "),
                Arguments.of("", null, "empty frame: expected a JSON object"),
                Arguments.of("[1,2]", null, "expected a JSON object, got an array"),
                Arguments.of("\"send\"", null, "expected a JSON object, got a string"),
                Arguments.of("{}", null, "field 'type' must be a string: send, online or pong"),
                Arguments.of("{\"type\":7,\"cid\":\"k\"}", "k", "field 'type' must be a string: send, online or pong"),
                Arguments.of("{\"type\":\"dance\",\"cid\":\"k\"}", "k", "unknown type 'dance': expected send, online or pong"),
                Arguments.of("{\"type\":\"send\",\"to\":\"bob\",\"body\":1,\"cid\":5}", null, "field 'cid' must be a string, got a number"),
                Arguments.of("{\"type\":\"send\",\"body\":1,\"cid\":\"k\"}", "k", "field 'to' must be a user id: 1 to 64 of A-Z a-z 0-9 _ . -"),
                Arguments.of("{\"type\":\"send\",\"to\":\"b o b\",\"body\":1,\"cid\":\"k\"}", "k", "field 'to' must be a user id: 1 to 64 of A-Z a-z 0-9 _ . -"),
                Arguments.of("{\"type\":\"send\",\"to\":[\"bob\"],\"body\":1,\"cid\":\"k\"}", "k", "field 'to' must be a user id: 1 to 64 of A-Z a-z 0-9 _ . -"),
                Arguments.of("{\"type\":\"send\",\"to\":\"bob\",\"cid\":\"k\"}", "k", "missing field 'body'"),
                Arguments.of("{\"type\":\"send\",\"to\":\"bob\",\"body\":1,\"ttl\":-1,\"cid\":\"k\"}", "k", "field 'ttl' must be a whole number of seconds from 0 to 315360000"),
                Arguments.of("{\"type\":\"send\",\"to\":\"bob\",\"body\":1,\"ttl\":1.5,\"cid\":\"k\"}", "k", "field 'ttl' must be a whole number of seconds from 0 to 315360000"),
                Arguments.of("{\"type\":\"send\",\"to\":\"bob\",\"body\":1,\"ttl\":\"60\",\"cid\":\"k\"}", "k", "field 'ttl' must be a whole number of seconds from 0 to 315360000"),
                Arguments.of("{\"type\":\"send\",\"to\":\"bob\",\"body\":1,\"ttl\":315360001,\"cid\":\"k\"}", "k", "field 'ttl' must be a whole number of seconds from 0 to 315360000"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformed")
    @DisplayName("malformed input gets an error with the cid (or null) and the connection stays open")
    void malformedInput(String frame, String cid, String error) {
        for (String transport : Servers.TRANSPORTS) {
            String alice = user("alice");
            try (ChatClient a = login(server, transport, alice)) {
                a.send(frame);
                JsonNode reply = a.nextJson();
                assertThat(reply.fieldNames()).toIterable().containsExactly("type", "cid", "error");
                assertThat(reply.get("type").asText()).isEqualTo("error");
                if (cid == null) {
                    assertThat(reply.get("cid").isNull()).as("cid null in %s", reply).isTrue();
                } else {
                    assertThat(reply.get("cid").asText()).isEqualTo(cid);
                }
                assertThat(reply.get("error").asText()).as(transport).startsWith(error);
                // still open and working
                a.send("{\"type\":\"send\",\"to\":\"" + alice + "\",\"body\":\"self\",\"cid\":\"ok\"}");
                assertThat(msg(a.next()).group(2)).isEqualTo("\"self\"");
                assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"ok\"}");
            }
        }
    }

    @Test
    @DisplayName("bytes that are not UTF-8 are malformed JSON; the connection stays open")
    void invalidUtf8() {
        for (String transport : Servers.TRANSPORTS) {
            try (ChatClient a = login(server, transport, user("alice"))) {
                a.sendBytes(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'});
                String reply = a.next();
                assertThat(reply).startsWith("{\"type\":\"error\",\"cid\":null,\"error\":\"malformed JSON: ");
                a.expectNothingPending();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "jetty-ws", "netty-ws"})
    @DisplayName("single sign-on: the older connection gets {\"type\":\"bye\",\"reason\":\"sso\"}, then is closed")
    void ssoBye(String newTransport) {
        for (String oldTransport : Servers.TRANSPORTS) {
            String frank = user("frank");
            try (ChatClient first = login(server, oldTransport, frank + "/phone")) {
                try (ChatClient second = login(server, newTransport, frank + "/laptop")) {
                    assertThat(first.next()).isEqualTo("{\"type\":\"bye\",\"reason\":\"sso\"}");
                    first.awaitClosed();
                    second.send("{\"type\":\"send\",\"to\":\"" + frank + "\",\"body\":\"me\",\"cid\":\"s\"}");
                    assertThat(msg(second.next()).group(2)).isEqualTo("\"me\"");
                    assertThat(second.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"s\"}");
                }
            }
        }
    }

    @Test
    @DisplayName("TCP: the first frame is the token; a malformed token closes the connection")
    void tcpTokens() {
        for (String bad : List.of("", "bad token", "a/b/c", "alice/", "/phone", "x".repeat(65), "al\u00efce")) {
            try (TcpChatClient c = TcpChatClient.connect(server.address("tcp"), bad)) {
                c.awaitClosed();
                assertThat(c.inbox).as("nothing sent to a rejected connection").isEmpty();
            }
        }
        try (TcpChatClient c = TcpChatClient.connect(server.address("tcp"), new byte[] {'a', (byte) 0xc3})) {
            c.awaitClosed();
        }
        String ok = user("g") + "_.-G9/" + "dev-1.x_Y";
        try (ChatClient c = login(server, "tcp", ok)) {
            c.expectNothingPending();
        }
        try (ChatClient c = login(server, "tcp", "x".repeat(64))) {
            c.expectNothingPending();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty-ws", "netty-ws"})
    @DisplayName("WebSocket: token from ?token= or Authorization: Bearer; a bad or missing token is refused with 401")
    void webSocketTokens(String transport) throws Exception {
        for (String bad : List.of("bad token", "a/b/c", "", "x".repeat(65))) {
            assertThat(WsChatClient.refusedStatus(server.address(transport), bad)).as("token '%s'", bad).isEqualTo(401);
        }
        assertThat(WsChatClient.refusedStatus(server.address(transport), null)).as("no token").isEqualTo(401);
        String henry = user("henry");
        try (WsChatClient c = WsChatClient.connectBearer(transport, server.address(transport), henry + "/tablet")) {
            List<String> users = new ArrayList<>();
            c.online().forEach(n -> users.add(n.asText()));
            assertThat(users).contains(henry);
        }
    }

    @Test
    @DisplayName("the Jetty port serves the chat page at /")
    void pageServed() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.InetSocketAddress a = server.address("jetty-ws");
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + a.getHostString() + ":" + a.getPort() + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/html");
        assertThat(r.body()).contains("<title>tok chat</title>").contains("chat.js");
        java.net.http.HttpResponse<String> js = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + a.getHostString() + ":" + a.getPort() + "/chat.js")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.body()).contains("new WebSocket(");
    }

    @Test
    @DisplayName("the start lines name every listener with its bound port, then tok ready")
    void startLines() {
        List<String> lines = server.startLines();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("tok listening tcp 127.0.0.1:" + server.address("tcp").getPort());
        assertThat(lines.get(1)).isEqualTo("tok listening jetty-ws 127.0.0.1:" + server.address("jetty-ws").getPort());
        assertThat(lines.get(2)).isEqualTo("tok listening netty-ws 127.0.0.1:" + server.address("netty-ws").getPort());
        assertThat(lines.get(3)).isEqualTo("tok ready");
        assertThat(server.address("tcp").getPort()).isPositive();
    }
}
