package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.Delivery;
import dev.tok.api.DeliveryFailedException;
import dev.tok.api.Device;
import dev.tok.api.PartialSendPolicy;
import dev.tok.api.SendResult;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Guarantee 10: explicit partial delivery and the partial-send policy. */
class PartialSendPolicyTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    private SendResult sendToOneGoodOneBad(PartialSendPolicy policy, TestQueue queue) {
        CoreHub hub = fx.hub(HubFixture.config().sso(false).partialSendPolicy(policy).queue(queue).build());
        fx.connect(hub, Device.of("alice", "good"));
        fx.connect(hub, Device.of("alice", "bad"), n -> true);
        return hub.send("alice", "m".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
    }

    @Test
    void cacheOnAnyFailureQueuesAndReportsEachConnection() {
        TestQueue queue = new TestQueue();
        SendResult r = sendToOneGoodOneBad(PartialSendPolicy.CACHE_ON_ANY_FAILURE, queue);
        assertThat(r.status()).isEqualTo(SendResult.Status.QUEUED);
        assertThat(r.queued()).isTrue();
        assertThat(r.delivered()).isEqualTo(1);
        assertThat(r.deliveries()).extracting(d -> d.device().deviceId() + "=" + d.succeeded())
                .containsExactlyInAnyOrder("good=true", "bad=false");
        assertThat(queue.size("alice")).isEqualTo(1);
    }

    @Test
    void cacheWhenAllFailedReportsPartialDelivery() {
        TestQueue queue = new TestQueue();
        SendResult r = sendToOneGoodOneBad(PartialSendPolicy.CACHE_WHEN_ALL_FAILED, queue);
        assertThat(r.status()).isEqualTo(SendResult.Status.PARTIALLY_DELIVERED);
        assertThat(r.queued()).isFalse();
        assertThat(queue.size("alice")).isZero();
    }

    @Test
    void cacheWhenAllFailedQueuesWhenNothingWasDelivered() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).partialSendPolicy(PartialSendPolicy.CACHE_WHEN_ALL_FAILED)
                .queue(queue).build());
        fx.connect(hub, Device.of("alice", "a"), n -> true);
        fx.connect(hub, Device.of("alice", "b"), n -> true);
        SendResult r = hub.send("alice", "m".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        assertThat(r.status()).isEqualTo(SendResult.Status.QUEUED);
        assertThat(r.deliveries()).noneMatch(Delivery::succeeded);
    }

    @Test
    void neverCacheReportsPartialDeliveryAndFailsWhenNothingArrived() {
        TestQueue queue = new TestQueue();
        SendResult r = sendToOneGoodOneBad(PartialSendPolicy.NEVER_CACHE, queue);
        assertThat(r.status()).isEqualTo(SendResult.Status.PARTIALLY_DELIVERED);
        assertThat(queue.size("alice")).isZero();

        CoreHub hub = fx.hub(HubFixture.config().partialSendPolicy(PartialSendPolicy.NEVER_CACHE).queue(queue).build());
        fx.connect(hub, dev.tok.api.Device.of("bob", "d"), n -> true);
        assertThatThrownBy(() -> hub.send("bob", "m".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join())
                .hasCauseInstanceOf(DeliveryFailedException.class)
                .satisfies(e -> assertThat(((DeliveryFailedException) e.getCause()).result().deliveries()).hasSize(1));
    }

    @Test
    void zeroTtlIsNeverCached() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        fx.connect(hub, dev.tok.api.Device.of("bob", "d"), n -> true);
        assertThatThrownBy(() -> hub.send("bob", "m".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join())
                .hasCauseInstanceOf(DeliveryFailedException.class);
        assertThat(queue.size("bob")).isZero();
    }
}
