package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Guarantee 1: per-recipient order, also across offline -> online. */
class OrderingTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    @DisplayName("queued messages arrive first, in order, then live ones sent right after login")
    void queuedBeforeLiveInSendOrder() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        for (int i = 0; i < 300; i++) {
            hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1));
        }
        InMemoryConnection bob = fx.connect(hub, "bob");
        for (int i = 300; i < 600; i++) {
            hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1));
        }

        await().until(() -> bob.texts().size() == 600);
        assertThat(bob.texts()).isEqualTo(IntStream.range(0, 600).mapToObj(Integer::toString).collect(Collectors.toList()));
        await().until(() -> queue.size("bob") == 0);
    }

    @Test
    @DisplayName("with sso off every connection sees the same order")
    void everyConnectionSeesSendOrder() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false).queue(new TestQueue()).build());
        List<InMemoryConnection> conns = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            conns.add(fx.connect(hub, "bob"));
        }
        for (int i = 0; i < 500; i++) {
            hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ZERO);
        }
        List<String> expected = IntStream.range(0, 500).mapToObj(Integer::toString).collect(Collectors.toList());
        for (InMemoryConnection c : conns) {
            await().until(() -> c.texts().size() == 500);
            assertThat(c.texts()).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("a message whose write failed is redelivered in its place on the next connection")
    void failedLiveWriteKeepsItsPlace() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        InMemoryConnection first = fx.connect(hub, dev.tok.api.Device.of("bob", "d"), n -> n >= 2);
        for (int i = 0; i < 5; i++) {
            hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1));
        }
        await().until(() -> queue.size("bob") == 3);
        first.peerClose();

        InMemoryConnection second = fx.connect(hub, "bob");
        for (int i = 5; i < 8; i++) {
            hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1));
        }

        await().until(() -> second.texts().size() == 6);
        assertThat(first.texts()).containsExactly("0", "1");
        assertThat(second.texts()).containsExactly("2", "3", "4", "5", "6", "7");
    }

    @Test
    @DisplayName("failed messages enter the queue in send order although their writes completed out of order")
    void cachingFollowsSendOrderNotCompletionOrder() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).queue(queue).build());
        InMemoryConnection slow = fx.connect(hub, dev.tok.api.Device.of("bob", "slow")).holdCompletions();
        fx.connect(hub, dev.tok.api.Device.of("bob", "broken"), n -> true);
        for (int i = 0; i < 10; i++) {
            hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1));
        }
        slow.releaseHeldInReverse();

        await().until(() -> queue.size("bob") == 10);
        assertThat(queue.peek("bob", 10)).extracting(m -> new String(m.payload(), UTF_8))
                .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }
}
