package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.ByeGenerator;
import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.SendResult;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code Hub.close(grace)}: the coordinated drain on shutdown. */
class ShutdownDrainTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    private static final ByeGenerator BYE = (kicker, reason, device) ->
            Optional.of(("bye " + reason + " " + kicker.uid() + " " + device.uid()).getBytes(UTF_8));

    @Test
    @DisplayName("close(grace): every connection gets the shutdown bye, then a graceful SERVER_SHUTDOWN close; the closes spread over the grace")
    void spreadsByeAndCloseOverTheGrace() {
        Map<String, Long> closedAt = new ConcurrentHashMap<>();
        CoreHub hub = fx.hub(HubFixture.config().byeGenerator(BYE).queue(new TestQueue())
                .closeHook((device, reason) -> closedAt.put(device.uid() + " " + reason, System.nanoTime())).build());
        List<InMemoryConnection> conns = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            conns.add(fx.connect(hub, Device.of("u" + i, "d")));
        }
        long start = System.nanoTime();
        hub.close(Duration.ofMillis(800));
        long took = System.nanoTime() - start;
        assertThat(took).as("the last close is due at 4/5 of the grace").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(640));
        for (int i = 0; i < 5; i++) {
            InMemoryConnection c = conns.get(i);
            assertThat(c.texts()).containsExactly("bye shutdown u" + i + " u" + i);
            assertThat(c.closedWith()).contains(CloseReason.SERVER_SHUTDOWN); // graceful: flushed, not aborted
            assertThat(c.abortedWith()).isEmpty();
        }
        assertThat(closedAt).hasSize(5).allSatisfy((k, v) -> assertThat(k).endsWith("SERVER_SHUTDOWN"));
        long first = closedAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = closedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(last - first).as("closes spread, not all at once").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(400));
    }

    @Test
    @DisplayName("during the drain logins are refused and sends still work: written while the connection is open, queued once it was closed")
    void duringTheDrain() throws Exception {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().byeGenerator(BYE).queue(queue).build());
        Map<String, InMemoryConnection> byUser = Map.of("a", fx.connect(hub, Device.of("a", "d")),
                "b", fx.connect(hub, Device.of("b", "d")));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> hub.close(Duration.ofSeconds(2)));
        // one goes at once, the other about a second later
        await().until(() -> byUser.values().stream().filter(c -> c.closedWith().isPresent()).count() == 1);
        String gone = byUser.get("a").closedWith().isPresent() ? "a" : "b";
        String open = gone.equals("a") ? "b" : "a";

        assertThatThrownBy(() -> fx.connect(hub, Device.of("c", "d"))).isInstanceOf(HubClosedException.class);
        SendResult toOpen = hub.send(open, "still here".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        assertThat(toOpen.status()).isEqualTo(SendResult.Status.DELIVERED);
        SendResult toClosed = hub.send(gone, "later".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        assertThat(toClosed.status()).isEqualTo(SendResult.Status.QUEUED);
        assertThat(queue.size(gone)).isEqualTo(1);

        closing.get(10, TimeUnit.SECONDS);
        assertThat(byUser.get(open).texts()).containsExactly("still here", "bye shutdown " + open + " " + open);
        assertThatThrownBy(() -> hub.send(open, "x".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join())
                .hasCauseInstanceOf(HubClosedException.class);
    }

    @Test
    @DisplayName("close() is close(Duration.ZERO): the bye too, every connection closed at once")
    void closeWithoutGrace() {
        CoreHub hub = fx.hub(HubFixture.config().byeGenerator(BYE).build());
        InMemoryConnection c = fx.connect(hub, Device.of("a", "d"));
        hub.close();
        assertThat(c.texts()).containsExactly("bye shutdown a a");
        assertThat(c.closedWith()).contains(CloseReason.SERVER_SHUTDOWN);
        assertThatThrownBy(() -> hub.close(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
