package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.HubConfig;
import dev.tok.api.Queue;
import dev.tok.api.SendResult;
import dev.tok.api.TokServer;
import dev.tok.testkit.InMemoryConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through tok-core: messages the hub accepted for an offline user survive a server
 * restart and are delivered, in order, when the user connects; once delivered they do not come
 * back after another restart.
 */
class HubRestartTest {

    @TempDir
    Path dir;

    private TokServer server() {
        HubConfig config = HubConfig.builder()
                .actor((connection, payload) -> { })
                .readTimeout(Duration.ofMinutes(1))
                .authenticator(request -> java.util.concurrent.CompletableFuture.failedFuture(
                        new dev.tok.api.AuthenticationException("the loopback transport registers devices directly")))
                .build();
        return TokServer.builder(config)
                .queue("chronicle", Map.of("directory", dir.toString()))
                .transport("test-loopback", Map.of())
                .build()
                .start();
    }

    @Test
    @DisplayName("offline messages survive a server restart and are delivered once, in order")
    void offlineMessagesSurviveRestart() throws Exception {
        try (TokServer server = server()) {
            for (int i = 1; i <= 3; i++) {
                SendResult r = server.hub().send("zoe", ("hello-" + i).getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(10))
                        .toCompletableFuture().get();
                assertThat(r.queued()).as("message %d queued for the offline user", i).isTrue();
            }
        }
        try (TokServer server = server()) {
            assertThat(server.listeners()).extracting(TokServer.Listener::transport).containsExactly("test-loopback");
            InMemoryConnection zoe = LoopbackTransportProvider.connect("zoe");
            await().atMost(Duration.ofSeconds(20)).until(() -> zoe.framesWritten() >= 3);
            assertThat(zoe.texts()).containsExactly("hello-1", "hello-2", "hello-3");
            zoe.close(dev.tok.api.CloseReason.PEER_CLOSED);
        }
        try (Queue q = TestQueues.open(dir)) {
            assertThat(q.size("zoe")).as("delivered messages do not come back").isZero();
        }
    }
}
