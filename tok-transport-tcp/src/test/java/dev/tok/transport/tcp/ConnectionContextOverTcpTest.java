package dev.tok.transport.tcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.AttributeKey;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.SessionPolicy;
import dev.tok.api.TokServer;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The context-aware actor over a real transport, assembled by TokServer: the actor reaches the
 * hub through its connection from the first frame on (no reference to wire after start()),
 * replies reach only the asking connection, device sends only the device, and the connect hook
 * runs before the first frame.
 */
class ConnectionContextOverTcpTest {
    private static final AttributeKey<String> WELCOMED = AttributeKey.of("welcomed");

    private static HubConfig config() {
        return HubConfig.builder()
                .authenticator(request -> {
                    String[] token = new String(request.firstFrame().orElseThrow(), UTF_8).split("/", 2);
                    return CompletableFuture.completedFuture(Device.of(token[0], token[1]));
                })
                .sessionPolicy(SessionPolicy.shareAll(4))
                .connectHook(connection -> {
                    connection.setAttribute(WELCOMED, "yes");
                    connection.reply(("welcome " + connection.device().deviceId()).getBytes(UTF_8));
                })
                .actor((connection, payload) -> connection.reply((new String(payload, UTF_8) + " -> "
                        + new TreeSet<>(connection.hub().online()) + " over " + connection.transport()
                        + " welcomed=" + connection.attribute(WELCOMED).orElse("no")).getBytes(UTF_8)))
                .readTimeout(Duration.ofMinutes(1))
                .build();
    }

    private static String receive(ClientConnection c) throws Exception {
        return new String(c.receive(Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("nothing received")), UTF_8);
    }

    @Test
    @DisplayName("the actor reaches the hub from the first frame and its reply reaches only the asking connection")
    void replyAndHubFromTheFirstFrame() throws Exception {
        try (TokServer server = TokServer.builder(config())
                .transport("tcp", Map.of("host", "127.0.0.1", "port", "0")).build().start()) {
            SocketAddress address = server.address("tcp").orElseThrow();
            FramedSocketClient client = new FramedSocketClient();
            try (ClientConnection phone = client.connect(address, "alice/phone");
                    ClientConnection laptop = client.connect(address, "alice/laptop")) {
                phone.send("who".getBytes(UTF_8)); // the first frame after the auth frame
                assertThat(receive(phone)).isEqualTo("welcome phone");
                assertThat(receive(phone)).isEqualTo("who -> [alice] over tcp welcomed=yes");
                assertThat(receive(laptop)).isEqualTo("welcome laptop");
                assertThat(laptop.receive(Duration.ofMillis(300))).as("the reply went to the phone only").isEmpty();

                server.hub().send(Device.of("alice", "laptop"), "for the laptop".getBytes(UTF_8), Duration.ZERO)
                        .toCompletableFuture().join();
                assertThat(receive(laptop)).isEqualTo("for the laptop");
                assertThat(phone.receive(Duration.ofMillis(300))).as("the device send went to the laptop only").isEmpty();
                assertThat(server.hub().connections("alice")).extracting(c -> c.device().deviceId())
                        .containsExactlyInAnyOrder("phone", "laptop");
                assertThat(server.hub().connections("alice")).allSatisfy(c -> assertThat(c.transport()).isEqualTo("tcp"));
            }
        }
    }
}
