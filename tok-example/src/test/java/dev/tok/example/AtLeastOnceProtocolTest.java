package dev.tok.example;

import static dev.tok.example.Servers.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example's at-least-once protocol ({@code --delivery at-least-once}) over real sockets:
 * every {@code msg} carries {@code "id"}, {@code received} acknowledges, a reconnect gets what the
 * device did not acknowledge again (same ids, before newer messages), a repeated {@code cid} is
 * delivered once.
 */
class AtLeastOnceProtocolTest {

    private static ChatServer server;

    @BeforeAll
    static void start() {
        server = Servers.start(Map.of(), "--delivery", "at-least-once");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> transportPairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (String first : Servers.TRANSPORTS) {
            for (String second : Servers.TRANSPORTS) {
                pairs.add(Arguments.of(first, second));
            }
        }
        return pairs.stream();
    }

    private static AtLeastOnceSession login(String transport, String token) {
        return AtLeastOnceSession.login(server, transport, token);
    }

    @ParameterizedTest(name = "{0}, then {1}")
    @MethodSource("transportPairs")
    @DisplayName("msg carries an increasing id; what the device did not acknowledge comes again on its next connection, same ids, before newer messages")
    void redeliveryAcrossTransports(String first, String second) {
        String alice = user("alice");
        String bob = user("bob");
        try (AtLeastOnceSession a = login("tcp", alice)) {
            for (int i = 1; i <= 3; i++) {
                a.send(bob, "m" + i, "c" + i);
                assertThat(a.client.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c" + i + "\"}"); // queued for offline bob
            }
            List<Long> ids = new ArrayList<>();
            try (AtLeastOnceSession b = login(first, bob)) {
                for (int i = 1; i <= 3; i++) {
                    JsonNode m = b.nextMsg();
                    assertThat(m.path("body").asText()).isEqualTo("m" + i);
                    assertThat(m.path("from").asText()).isEqualTo(alice);
                    ids.add(m.path("id").asLong());
                }
                assertThat(ids).isSorted().doesNotHaveDuplicates().allMatch(id -> id > 0);
                assertThat(b.acknowledge(ids.get(0))).isEmpty();
            } // closes without acknowledging m2, m3
            a.send(bob, "m4", "c4");
            assertThat(a.client.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c4\"}");
            try (AtLeastOnceSession b = login(second, bob)) {
                JsonNode m2 = b.nextMsg();
                JsonNode m3 = b.nextMsg();
                JsonNode m4 = b.nextMsg();
                assertThat(List.of(m2.path("body").asText(), m3.path("body").asText(), m4.path("body").asText()))
                        .containsExactly("m2", "m3", "m4");
                assertThat(m2.path("id").asLong()).isEqualTo(ids.get(1));
                assertThat(m3.path("id").asLong()).isEqualTo(ids.get(2));
                assertThat(m4.path("id").asLong()).isGreaterThan(ids.get(2));
                assertThat(b.acknowledge(m4.path("id").asLong())).isEmpty();
            }
            try (AtLeastOnceSession b = login(first, bob)) {
                assertThat(b.untilOnline()).as("everything acknowledged: nothing comes again").isEmpty();
            }
        }
    }

    @Test
    @DisplayName("the msg frame keeps its field order with the id after the type: {\"type\":\"msg\",\"id\":N,\"from\",\"body\",\"ts\"}")
    void frameLayout() {
        String alice = user("alice");
        String bob = user("bob");
        try (AtLeastOnceSession a = login("tcp", alice); AtLeastOnceSession b = login("netty-ws", bob)) {
            a.send(bob, "hi", "c1");
            String frame = b.client.next();
            assertThat(frame).matches("\\{\"type\":\"msg\",\"id\":\\d+,\"from\":\"" + alice + "\",\"body\":\"hi\",\"ts\":\\d+}");
        }
    }

    @Test
    @DisplayName("a send repeated with the same cid from the same device is answered again and delivered once")
    void repeatedCidDeliveredOnce() {
        String alice = user("alice");
        String bob = user("bob");
        try (AtLeastOnceSession b = login("jetty-ws", bob)) {
            try (AtLeastOnceSession a = login("tcp", alice + "/phone")) {
                a.send(bob, "once", "same");
                assertThat(a.client.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"same\"}");
            }
            try (AtLeastOnceSession a = login("netty-ws", alice + "/phone")) { // the same device, reconnected
                a.send(bob, "once", "same");
                assertThat(a.client.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"same\"}");
            }
            JsonNode m = b.nextMsg();
            assertThat(m.path("body").asText()).isEqualTo("once");
            assertThat(b.untilOnline()).as("delivered once").isEmpty();
        }
    }

    @Test
    @DisplayName("cursors are per device: a known device gets what it has not acknowledged, the device that acknowledged does not get it again, a new one gets only what is still retained")
    void devicesHaveTheirOwnCursors() {
        String alice = user("alice");
        String bob = user("bob");
        try (AtLeastOnceSession a = login("tcp", alice)) {
            try (AtLeastOnceSession laptop = login("netty-ws", bob + "/laptop")) {
                assertThat(laptop.untilOnline()).isEmpty(); // the laptop is known from now on
            }
            long id;
            // --sso true (the default): one connection of bob at a time
            try (AtLeastOnceSession phone = login("tcp", bob + "/phone")) {
                a.send(bob, "x", "c1");
                id = phone.nextMsg().path("id").asLong();
                phone.acknowledge(id);
            }
            try (AtLeastOnceSession laptop = login("netty-ws", bob + "/laptop")) {
                JsonNode m = laptop.nextMsg();
                assertThat(m.path("id").asLong()).isEqualTo(id);
                assertThat(m.path("body").asText()).isEqualTo("x");
                laptop.acknowledge(id);
            }
            try (AtLeastOnceSession phone = login("tcp", bob + "/phone")) {
                assertThat(phone.untilOnline()).isEmpty();
            }
            try (AtLeastOnceSession tablet = login("jetty-ws", bob + "/tablet")) {
                assertThat(tablet.untilOnline()).as("every known device acknowledged x: no longer retained").isEmpty();
            }
        }
    }

    @Test
    @DisplayName("received: a malformed id is an error, the connection stays open")
    void receivedNeedsAnId() {
        try (AtLeastOnceSession b = login("tcp", user("bob"))) {
            b.client.send("{\"type\":\"received\",\"id\":\"x\"}");
            assertThat(b.client.nextJson().path("error").asText()).contains("field 'id'");
            assertThat(b.untilOnline()).isEmpty();
        }
    }

    @Test
    @DisplayName("a device that stops reading: the in-flight window stops the writes (no slow-consumer close, no drop), every send completes, and once it reads and acknowledges it gets all 2,000 in order")
    void windowBackpressureWithAPeerThatStopsReading() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        int count = 2_000;
        String pad = "x".repeat(1_000);
        try (java.net.Socket deaf = new java.net.Socket()) {
            deaf.connect(server.address("tcp"));
            java.io.DataOutputStream out = new java.io.DataOutputStream(deaf.getOutputStream());
            byte[] token = bob.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(token.length);
            out.write(token);
            out.flush();
            org.awaitility.Awaitility.await().until(() -> server.hub().isOnline(bob));
            try (AtLeastOnceSession a = login("tcp", alice)) {
                for (int i = 0; i < count; i++) {
                    a.client.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":\"" + i + " " + pad
                            + "\",\"cid\":\"c" + i + "\",\"ttl\":600}");
                }
                // every send completes: written (the first ones, once their writes completed) or
                // waiting in the log (the rest, at once); the acks may come in any order. At most
                // once, the writes beyond the socket buffers would never complete while the peer
                // does not read, and neither would their sends until the slow-consumer close
                // (the write timeout, a minute)
                java.util.Set<String> acked = new java.util.HashSet<>();
                for (int i = 0; i < count; i++) {
                    JsonNode ack = a.client.nextJson();
                    assertThat(ack.path("type").asText()).as("%s", ack).isEqualTo("ack");
                    acked.add(ack.path("cid").asText());
                }
                assertThat(acked).hasSize(count);
            }
            // 2 MB were sent to a peer that read nothing: the window held the writes at 1 MiB of
            // payload, so the transport never saw a slow consumer and the connection is still there
            assertThat(server.hub().isOnline(bob)).isTrue();

            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(deaf.getInputStream()));
            deaf.setSoTimeout(10_000);
            int next = 0;
            while (next < count) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                JsonNode n = ChatClient.parse(new String(frame, java.nio.charset.StandardCharsets.UTF_8));
                if (!n.path("type").asText().equals("msg")) {
                    continue; // a ping
                }
                assertThat(n.path("body").asText()).startsWith(next + " ");
                next++;
                if (next % 64 == 0 || next == count) {
                    byte[] ack = ("{\"type\":\"received\",\"id\":" + n.path("id").asLong() + "}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    out.writeInt(ack.length);
                    out.write(ack);
                    out.flush();
                }
            }
        }
    }
}
