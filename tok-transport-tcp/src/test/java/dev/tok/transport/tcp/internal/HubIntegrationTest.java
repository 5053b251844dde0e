package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.AuthenticationException;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.SendResult;
import dev.tok.api.TokServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tcp transport under the real hub (tok-core) and the default memory queue, assembled by
 * TokServer, with Go tok's bytes on the wire. What every transport must do with the hub (slow
 * consumers, pings and read timeout, stop, many connections, ...) is checked by
 * {@link TcpTransportCompatibilityTest}.
 */
class HubIntegrationTest {

    /** Auth payload {@code uid:<name>} is accepted, anything else rejected. */
    private static HubConfig.Builder config() {
        return HubConfig.builder().authenticator(request -> {
            String auth = new String(request.firstFrame().orElseThrow(), StandardCharsets.UTF_8);
            return auth.startsWith("uid:") ? CompletableFuture.completedFuture(Device.of(auth.substring(4), "test"))
                    : CompletableFuture.failedFuture(new AuthenticationException("bad auth payload"));
        });
    }

    private static TokServer start(HubConfig config, Map<String, String> tcp) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("host", "127.0.0.1", "port", "0"));
        settings.putAll(tcp);
        return TokServer.builder(config).transport("tcp", settings).build().start();
    }

    private static InetSocketAddress address(TokServer server) {
        return (InetSocketAddress) server.address("tcp").orElseThrow();
    }

    @Test
    @DisplayName("Go tok bytes end to end: auth frame to the Authenticator, frames to the Actor, Hub.send to the wire")
    void goTokBytesThroughTheHub() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        HubConfig config = config().actor((connection, payload) -> received.add(connection.device().uid() + ">" + new String(payload,
                StandardCharsets.UTF_8))).pingGenerator(() -> new byte[0]).build();
        try (TokServer server = start(config, Map.of()); FrameClient c = FrameClient.connect(address(server))) {
            c.sendRaw(new byte[] {0, 0, 0, 7, 'u', 'i', 'd', ':', 'g', 'o', '1'});
            c.sendRaw(new byte[] {0, 0, 0, 2, 'h', 'i', 0, 0, 0, 0});
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("go1>hi");
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("go1>");
            Hub hub = server.hub();
            SendResult r = hub.send("go1", "yo".getBytes(StandardCharsets.UTF_8), Duration.ZERO).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
            assertThat(c.readRaw(6)).containsExactly(0, 0, 0, 2, 'y', 'o');
        }
    }
}
