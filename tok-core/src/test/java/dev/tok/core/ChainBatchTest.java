package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.QueuedMessage;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user's task chain runs tasks that finish synchronously back to back on one worker hop
 * ({@link UserSlot#HOP_BATCH} at a time). Behaviour must not change: chain order, queued
 * before live, every send completed.
 */
class ChainBatchTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    /** A queue whose first peek waits until released: the login's drain holds the chain. */
    private static final class HeldQueue implements dev.tok.api.Queue {
        final TestQueue delegate = new TestQueue();
        final CountDownLatch peeking = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public long enqueue(String uid, byte[] payload, java.time.Instant expiresAt) {
            return delegate.enqueue(uid, payload, expiresAt);
        }

        @Override
        public List<QueuedMessage> read(String uid, long afterId, int max) {
            return delegate.read(uid, afterId, max);
        }

        @Override
        public long cursor(dev.tok.api.Device device) {
            return delegate.cursor(device);
        }

        @Override
        public void acknowledge(dev.tok.api.Device device, long upToId) {
            delegate.acknowledge(device, upToId);
        }

        @Override
        public List<QueuedMessage> peek(String uid, int max) {
            peeking.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.peek(uid, max);
        }

        @Override
        public void acknowledge(String uid, long upToId) {
            delegate.acknowledge(uid, upToId);
        }

        @Override
        public int size(String uid) {
            return delegate.size(uid);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @ParameterizedTest(name = "writes complete {0}")
    @ValueSource(strings = {"synchronously", "on another thread"})
    @DisplayName("many sends queued behind a drain are written after the queued messages, in send order, all completed")
    void sendsBehindADrainKeepTheirOrderAcrossBatches(String completion) throws Exception {
        HeldQueue queue = new HeldQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        int queued = 5;
        int live = 3 * UserSlot.HOP_BATCH + 17; // several hops' worth of tasks
        for (int i = 0; i < queued; i++) {
            hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1));
        }
        // synchronous completion lets the chain run many sends per worker hop
        InMemoryConnection bob = completion.equals("synchronously") ? InMemoryConnection.inline() : InMemoryConnection.completingOn(fx.io);
        bob.attach(hub.register(dev.tok.api.Device.of("bob", "d"), bob));
        assertThat(queue.peeking.await(10, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<?>> results = new ArrayList<>();
        for (int i = queued; i < queued + live; i++) {
            CompletableFuture<?> r = hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture();
            assertThat(r).as("send %d waits in the chain behind the drain", i).isNotDone();
            results.add(r);
        }
        queue.release.countDown();

        await().until(() -> bob.texts().size() == queued + live);
        assertThat(bob.texts()).isEqualTo(IntStream.range(0, queued + live).mapToObj(Integer::toString).collect(Collectors.toList()));
        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        await().until(() -> queue.size("bob") == 0);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("sends that waited behind a drain are all written at once, not one per completed write: the transport sees the backlog")
    void sendsBehindADrainDoNotWaitForEarlierWrites() throws Exception {
        HeldQueue queue = new HeldQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        InMemoryConnection bob = InMemoryConnection.completingOn(fx.io).holdCompletions(); // a peer that never reads
        bob.attach(hub.register(dev.tok.api.Device.of("bob", "d"), bob));
        assertThat(queue.peeking.await(10, TimeUnit.SECONDS)).isTrue();
        int n = 50;
        List<CompletableFuture<?>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(hub.send("bob", ("" + i).getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture());
        }
        queue.release.countDown();

        // No write completes, yet every send reaches the connection: a transport that judges slow
        // consumers by their unwritten bytes must see all of them.
        await().until(() -> bob.texts().size() == n);
        assertThat(bob.texts()).isEqualTo(IntStream.range(0, n).mapToObj(Integer::toString).collect(Collectors.toList()));
        assertThat(results).allMatch(r -> !r.isDone());
        bob.releaseHeldInReverse();
        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        assertThat(results).allMatch(r -> ((dev.tok.api.SendResult) r.join()).delivered() == 1);
    }
}
