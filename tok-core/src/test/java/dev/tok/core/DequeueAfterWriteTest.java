package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.QueuedMessage;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Guarantee 3: a queued message leaves the queue only after its write succeeded. */
class DequeueAfterWriteTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    @DisplayName("a failed drain write keeps the message at its place with its original expiry")
    void failedWriteKeepsPlaceAndExpiry() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        for (int i = 0; i < 5; i++) {
            hub.send("bob", ("m" + i).getBytes(UTF_8), Duration.ofMinutes(10 + i)).toCompletableFuture().join();
        }
        List<Instant> expiries = queue.peek("bob", 10).stream().map(QueuedMessage::expiresAt).toList();

        InMemoryConnection flaky = fx.connect(hub, dev.tok.api.Device.of("bob", "d"), n -> n >= 2);

        await().until(() -> flaky.texts().size() == 2);
        await().until(() -> queue.size("bob") == 3);
        List<QueuedMessage> left = queue.peek("bob", 10);
        assertThat(left).extracting(m -> new String(m.payload(), UTF_8)).containsExactly("m2", "m3", "m4");
        assertThat(left).extracting(QueuedMessage::expiresAt).isEqualTo(expiries.subList(2, 5));
        assertThat(hub.metrics().dequeued()).isEqualTo(2);

        flaky.peerClose();
        InMemoryConnection next = fx.connect(hub, "bob");
        await().until(() -> next.texts().size() == 3);
        assertThat(next.texts()).containsExactly("m2", "m3", "m4");
        await().until(() -> queue.size("bob") == 0);
    }

    @Test
    @DisplayName("a connection that dies during the drain loses nothing")
    void connectionClosedDuringDrain() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        for (int i = 0; i < 200; i++) {
            hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        }
        InMemoryConnection dying = fx.connect(hub, dev.tok.api.Device.of("bob", "d"), n -> n >= 70);
        await().until(() -> dying.texts().size() == 70);
        dying.peerClose();

        InMemoryConnection next = fx.connect(hub, "bob");

        await().until(() -> next.texts().size() == 130);
        assertThat(next.texts().get(0)).isEqualTo("70");
        assertThat(next.texts().get(129)).isEqualTo("199");
    }
}
