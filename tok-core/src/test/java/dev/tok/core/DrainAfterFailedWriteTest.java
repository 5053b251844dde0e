package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 5: a drain that meets a failed write while other connections stay up goes on
 * for them, so live sends never overtake queued messages.
 */
class DrainAfterFailedWriteTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    void liveSendsArriveAfterEveryQueuedMessageWhenOneConnectionFailsDuringTheDrain() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).queue(queue).build());
        InMemoryConnection a = fx.connect(hub, Device.of("alice", "a"));
        InMemoryConnection b = fx.connect(hub, Device.of("alice", "b"));
        // the logins' drains are over once a send behind them arrived: the queue is filled after that
        hub.send("alice", "ready".getBytes(UTF_8), Duration.ZERO);
        await().until(() -> a.texts().contains("ready") && b.texts().contains("ready"));
        int queued = Drain.BATCH + 40; // more than one batch: the second is written only if the drain goes on
        for (int i = 0; i < queued; i++) {
            queue.enqueue("alice", ("q" + i).getBytes(UTF_8), Instant.now().plusSeconds(60));
        }
        b.failWritesWhere(n -> true);
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "c")); // its login drains the queue to a, b and c
        hub.send("alice", "live".getBytes(UTF_8), Duration.ofMinutes(1));

        for (InMemoryConnection healthy : List.of(a, c)) {
            await().until(() -> healthy.texts().contains("live"));
            List<String> firsts = new ArrayList<>(new LinkedHashSet<>(healthy.texts()));
            firsts.remove("ready");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < queued; i++) {
                expected.add("q" + i);
            }
            expected.add("live");
            assertThat(firsts).as("first deliveries in order, queued before live").isEqualTo(expected);
        }
        assertThat(b.abortedWith()).as("the connection with a gap is closed; its client reconnects")
                .contains(CloseReason.SERVER_ERROR);
        assertThat(queue.size("alice")).isZero();
    }
}
