package dev.tok.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.CacheFailedException;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.QueueFullException;
import dev.tok.api.SendResult;
import dev.tok.testkit.QueueCompatibilityKit;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** With the real hub (tok-core, test scope only): the default queue, and a full queue reported as CacheFailed. */
class HubWithMemoryQueueTest {

    private static HubConfig.Builder config() {
        return HubConfig.builder()
                .actor((connection, payload) -> { })
                .readTimeout(Duration.ofMinutes(1));
    }

    @Test
    @DisplayName("a hub configured without a queue caches offline messages in the memory queue")
    void defaultQueue() throws Exception {
        try (Hub hub = Hub.create(config().build())) {
            SendResult r = hub.send("offline-user", new byte[] {1}, Duration.ofMinutes(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(SendResult.Status.QUEUED);
            assertThat(r.queued()).isTrue();
            assertThat(hub.metrics().enqueued()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("over max-messages-per-user, Hub.send fails with CacheFailed caused by QueueFull naming the setting")
    void fullQueueIsCacheFailed() throws Exception {
        try (Hub hub = Hub.create(config().queue(Opener.open(Map.of("max-messages-per-user", "2"))).build())) {
            for (int i = 0; i < 2; i++) {
                hub.send("offline-user", new byte[] {(byte) i}, Duration.ofMinutes(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            Throwable failure = hub.send("offline-user", new byte[] {9}, Duration.ofMinutes(5))
                    .handle((r, t) -> t).toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (failure instanceof CompletionException) {
                failure = failure.getCause();
            }
            assertThat(failure).isInstanceOf(CacheFailedException.class);
            assertThat(failure.getCause()).isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("max-messages-per-user");
            // another user is not affected
            SendResult other = hub.send("other-user", new byte[] {1}, Duration.ofMinutes(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(other.queued()).isTrue();
        }
    }

    /** Opens the queue by name, as an application would, through the kit's ServiceLoader helper. */
    private static final class Opener extends QueueCompatibilityKit {
        static dev.tok.api.Queue open(Map<String, String> settings) {
            return QueueCompatibilityKit.open("memory", settings);
        }

        @Override
        protected dev.tok.api.Queue createQueue(Map<String, String> settings) {
            throw new UnsupportedOperationException();
        }
    }
}
