package dev.tok.metrics.micrometer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.OfflineException;
import dev.tok.api.SendOutcome;
import dev.tok.api.TokServer;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The meters over a real TCP server: two users chat, a message waits in the queue for a third,
 * a send to a fourth finds nobody, one user is kicked, one sends a frame too large; every meter
 * is then read exactly. The actor forwards {@code "uid:text"} to that uid.
 */
class TokMetricsOverTcpTest {
    private static final List<String> PERSONAL = List.of("alice", "bob", "carol", "dave", "phone");

    @BeforeAll
    static void patience() {
        org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(60));
    }

    private static HubConfig.Builder config(TokMetrics metrics) {
        return HubConfig.builder()
                .authenticator(request -> {
                    String[] token = new String(request.firstFrame().orElseThrow(), UTF_8).split("/", 2);
                    return CompletableFuture.completedFuture(Device.of(token[0], token[1]));
                })
                .actor((connection, payload) -> {
                    String to = new String(payload, UTF_8).split(":", 2)[0];
                    connection.hub().send(to, payload, Duration.ZERO);
                })
                .readTimeout(Duration.ofMinutes(1))
                .observer(metrics);
    }

    private static String receive(ClientConnection c) throws Exception {
        return new String(c.receive(Duration.ofSeconds(20)).orElseThrow(() -> new AssertionError("nothing received")), UTF_8);
    }

    @Test
    @DisplayName("every meter counts exactly what happened over a real TCP server")
    void metersOverTcp() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TokMetrics metrics = TokMetrics.create();
        metrics.bindTo(registry);
        TokServer server = TokServer.builder(config(metrics).build())
                .transport("tcp", Map.of("host", "127.0.0.1", "port", "0", "max-frame-length", "64")).build().start();
        try {
            SocketAddress address = server.address("tcp").orElseThrow();
            FramedSocketClient client = new FramedSocketClient();
            try (ClientConnection alice = client.connect(address, "alice/phone");
                    ClientConnection bob = client.connect(address, "bob/phone")) {
                await().until(() -> server.hub().online().size() == 2);
                alice.send("bob:hello".getBytes(UTF_8));
                assertThat(receive(bob)).isEqualTo("bob:hello");
                bob.send("alice:hey".getBytes(UTF_8));
                assertThat(receive(alice)).isEqualTo("alice:hey");

                server.hub().send("carol", "later".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
                assertThatThrownBy(() -> server.hub().send("dave", "x".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join())
                        .hasCauseInstanceOf(OfflineException.class);
                try (ClientConnection carol = client.connect(address, "carol/phone")) {
                    assertThat(receive(carol)).isEqualTo("later");
                    await().until(() -> registry.get("tok.queue.dequeued").counter().count() == 1);
                    assertThat(server.hub().kick("carol")).isEqualTo(1);
                    await().until(() -> closed(registry, "kicked") == 1);
                }
                bob.send(new byte[65]); // max-frame-length is 64
                await().until(() -> closed(registry, "frame-too-large") == 1);
                await().until(() -> frames(registry, "out") == 3);

                assertThat(registry.get("tok.users.online").gauge().value()).isEqualTo(1);
                assertThat(registry.get("tok.connections").tag("transport", "tcp").gauge().value()).isEqualTo(1);
                assertThat(registry.get("tok.connections.opened").tag("transport", "tcp").counter().count()).isEqualTo(3);
                assertThat(registry.get("tok.connections.closed").counters()).hasSize(2);
                assertThat(frames(registry, "in")).isEqualTo(2);
                assertThat(size(registry, "in").count()).isEqualTo(2);
                assertThat(size(registry, "in").totalAmount()).isEqualTo(18);
                assertThat(size(registry, "in").max()).isEqualTo(9);
                assertThat(size(registry, "out").count()).isEqualTo(3);
                assertThat(size(registry, "out").totalAmount()).isEqualTo(23);
                assertThat(registry.get("tok.queue.enqueued").counter().count()).isEqualTo(1);
                assertThat(registry.get("tok.queue.dequeued").counter().count()).isEqualTo(1);
                for (SendOutcome o : SendOutcome.values()) {
                    long expected = switch (o) {
                        case DELIVERED -> 2;
                        case QUEUED, OFFLINE -> 1;
                        default -> 0;
                    };
                    String tag = TokMetrics.tagValue(o);
                    assertThat(registry.get("tok.sends").tag("outcome", tag).counter().count()).as(tag).isEqualTo(expected);
                    assertThat(registry.get("tok.send.duration").tag("outcome", tag).timer().count()).as(tag).isEqualTo(expected);
                }
                assertThat(registry.get("tok.send.duration").tag("outcome", "delivered").timer().totalTime(
                        java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
            }
        } finally {
            server.close();
        }
        assertThat(registry.get("tok.users.online").gauge().value()).isZero();
        assertThat(registry.get("tok.connections").tag("transport", "tcp").gauge().value()).isZero();
        assertThat(closed(registry, "kicked") + closed(registry, "frame-too-large")).isEqualTo(2);
        assertThat(registry.get("tok.connections.closed").counters().stream().mapToDouble(c -> c.count()).sum())
                .as("every opened connection closed once").isEqualTo(3);
        assertNoPersonalTag(registry);
    }

    @Test
    @DisplayName("no meter carries a uid or device id in a tag")
    void noUidInAnyTag() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TokMetrics metrics = TokMetrics.create(List.of(Tag.of("hub", "chat")));
        metrics.bindTo(registry);
        try (TokServer server = TokServer.builder(config(metrics).build())
                .transport("tcp", Map.of("host", "127.0.0.1", "port", "0")).build().start()) {
            FramedSocketClient client = new FramedSocketClient();
            try (ClientConnection alice = client.connect(server.address("tcp").orElseThrow(), "alice/phone")) {
                alice.send("alice:me".getBytes(UTF_8));
                assertThat(receive(alice)).isEqualTo("alice:me");
                server.hub().send("bob", new byte[1], Duration.ofMinutes(1)).toCompletableFuture().join();
            }
        }
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("hub")).isEqualTo("chat"));
        assertNoPersonalTag(registry);
    }

    @Test
    @DisplayName("rate-limited closes show as reason rate-limited, from the transport's limit per connection and the hub's "
            + "per user; a connection refused by max-connections-per-ip is neither opened nor closed")
    void rateLimitedClosesShow() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TokMetrics metrics = TokMetrics.create();
        metrics.bindTo(registry);
        HubConfig config = config(metrics).sso(false).userRateLimitFrames(1, 8).build();
        try (TokServer server = TokServer.builder(config).transport("tcp", Map.of("host", "127.0.0.1", "port", "0",
                "rate-limit-frames-per-second", "1", "rate-limit-frames-burst", "5", "max-connections-per-ip", "2")).build().start()) {
            SocketAddress address = server.address("tcp").orElseThrow();
            FramedSocketClient client = new FramedSocketClient();
            try (ClientConnection flood = client.connect(address, "alice/phone")) {
                await().until(() -> server.hub().isOnline("alice"));
                for (int i = 0; i < 6; i++) {
                    flood.send("nobody:x".getBytes(UTF_8)); // the sixth is one beyond the connection's burst
                }
                await().until(() -> closed(registry, "rate-limited") == 1);
            }
            try (ClientConnection phone = client.connect(address, "bob/phone");
                    ClientConnection laptop = client.connect(address, "bob/laptop")) {
                await().until(() -> server.hub().connections("bob").size() == 2);
                try (ClientConnection third = client.connect(address, "bob/tablet")) {
                    assertThatThrownBy(() -> third.receive(Duration.ofSeconds(20))).as("refused: closed by the server")
                            .isInstanceOf(java.io.IOException.class);
                } catch (java.io.IOException refused) {
                    // closed at accept before the token was written
                }
                for (int i = 0; i < 4; i++) {
                    phone.send("nobody:p".getBytes(UTF_8));
                    laptop.send("nobody:l".getBytes(UTF_8));
                }
                laptop.send("nobody:ninth".getBytes(UTF_8)); // each connection within its 5, the user beyond 8
                await().until(() -> closed(registry, "rate-limited") == 2);
            }
            assertThat(registry.get("tok.connections.opened").tag("transport", "tcp").counter().count()).isEqualTo(3);
        }
    }

    private static void assertNoPersonalTag(SimpleMeterRegistry registry) {
        assertThat(registry.getMeters()).isNotEmpty();
        for (Meter m : registry.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                for (String personal : PERSONAL) {
                    assertThat(t.getValue()).as(m.getId().toString()).doesNotContain(personal);
                }
            }
        }
    }

    private static double closed(SimpleMeterRegistry registry, String reason) {
        var c = registry.find("tok.connections.closed").tag("transport", "tcp").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private static double frames(SimpleMeterRegistry registry, String direction) {
        return registry.get("tok.frames").tag("transport", "tcp").tag("direction", direction).counter().count();
    }

    private static io.micrometer.core.instrument.DistributionSummary size(SimpleMeterRegistry registry, String direction) {
        return registry.get("tok.frame.size").tag("transport", "tcp").tag("direction", direction).summary();
    }
}
