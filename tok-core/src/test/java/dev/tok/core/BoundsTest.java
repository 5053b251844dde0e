package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.AuthRequest;
import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.PendingLimitException;
import dev.tok.api.SendResult;
import dev.tok.api.TokException;
import dev.tok.api.spi.Connection;
import dev.tok.testkit.InMemoryConnection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 11, item 4: what waits in the hub is bounded, and nothing waits forever on a transport. */
class BoundsTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    void sendsBeyondTheUsersPendingBoundFailAtOnceWithPendingLimitException() {
        CoreHub hub = fx.hub(HubFixture.config().maxPendingSendsPerUser(50).build());
        InMemoryConnection slow = fx.connect(hub, "alice").holdCompletions(); // a peer whose writes never finish yet
        List<CompletableFuture<SendResult>> accepted = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            accepted.add(hub.send("alice", ("m" + i).getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture());
        }
        CompletableFuture<SendResult> refused = hub.send("alice", "one too many".getBytes(UTF_8), Duration.ofMinutes(1))
                .toCompletableFuture();

        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.handle((r, e) -> e).join()).isInstanceOf(PendingLimitException.class)
                .hasMessageContaining("max-pending-sends-per-user");
        InMemoryConnection bob = fx.connect(hub, "bob");
        assertThat(hub.send("bob", "other users are not affected".getBytes(UTF_8), Duration.ZERO).toCompletableFuture()
                .join().status()).isEqualTo(SendResult.Status.DELIVERED);

        slow.releaseHeldInReverse();
        assertThat(CompletableFuture.allOf(accepted.toArray(new CompletableFuture[0]))).succeedsWithin(Duration.ofSeconds(30));
        assertThat(hub.send("alice", "room again".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join().status())
                .isEqualTo(SendResult.Status.DELIVERED);
        assertThat(bob.texts()).containsExactly("other users are not affected");
    }

    @Test
    void aWriteItsTransportNeverCompletesFailsAfterTwiceTheWriteTimeoutAndItsConnectionCloses() {
        AtomicReference<CloseReason> hookReason = new AtomicReference<>();
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).writeTimeout(Duration.ofMillis(100))
                .closeHook((d, r) -> hookReason.set(r)).build());
        CloseCompletesEverythingTest.DeafConnection deaf = new CloseCompletesEverythingTest.DeafConnection();
        Connection connection = hub.register(Device.of("alice", "d"), deaf);
        deaf.connection.complete(connection);

        CompletableFuture<SendResult> send = hub.send("alice", "lost in the transport".getBytes(UTF_8), Duration.ofMinutes(1))
                .toCompletableFuture();
        CompletableFuture<SendResult> behind = hub.send("alice", "behind it".getBytes(UTF_8), Duration.ofMinutes(1))
                .toCompletableFuture();

        // the write counts as failed: with a ttl the message is queued for the next login, in order
        assertThat(send).succeedsWithin(Duration.ofSeconds(30));
        assertThat(behind).succeedsWithin(Duration.ofSeconds(30));
        assertThat(send.join().status()).isEqualTo(SendResult.Status.QUEUED);
        assertThat(send.join().deliveries().get(0).failure()).get().asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.THROWABLE).hasMessageContaining("twice the write timeout");
        assertThat(behind.join().status()).isEqualTo(SendResult.Status.QUEUED);
        await().until(() -> hookReason.get() == CloseReason.WRITE_TIMEOUT);
        assertThat(hub.isOnline("alice")).isFalse();

        InMemoryConnection next = fx.connect(hub, Device.of("alice", "d2"));
        await().until(() -> next.texts().size() == 2);
        assertThat(next.texts()).containsExactly("lost in the transport", "behind it");
    }

    @Test
    void aQueuedMessageWhoseWriteNeverCompletesDoesNotHoldTheUserForever() {
        TestQueue queue = new TestQueue();
        queue.enqueue("alice", "queued".getBytes(UTF_8), java.time.Instant.now().plusSeconds(60));
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).writeTimeout(Duration.ofMillis(100)).build());
        CloseCompletesEverythingTest.DeafConnection deaf = new CloseCompletesEverythingTest.DeafConnection();
        deaf.connection.complete(hub.register(Device.of("alice", "d"), deaf)); // its login drain writes, forever

        await().until(() -> !hub.isOnline("alice"));
        InMemoryConnection next = fx.connect(hub, Device.of("alice", "d2"));
        await().until(() -> next.texts().size() == 1);
        assertThat(next.texts()).containsExactly("queued");
        assertThat(queue.size("alice")).isZero();
    }

    @Test
    void singleSignOnAndKickAbortTheOldConnectionInsteadOfFlushingIt() {
        CoreHub hub = fx.hub(HubFixture.config().build());
        InMemoryConnection first = fx.connect(hub, Device.of("alice", "phone"));
        InMemoryConnection second = fx.connect(hub, Device.of("alice", "laptop"));
        assertThat(first.abortedWith()).contains(CloseReason.SSO_REPLACED);

        assertThat(hub.kick("alice")).isEqualTo(1);
        assertThat(second.abortedWith()).contains(CloseReason.KICKED);

        InMemoryConnection third = fx.connect(hub, Device.of("bob", "d"));
        hub.close();
        assertThat(third.abortCalls()).as("a shutdown flushes: close, not abort").isZero();
        assertThat(third.closedWith()).contains(CloseReason.SERVER_SHUTDOWN);
    }

    @Test
    void authenticatorsRunOnTheirOwnBoundedPoolSoABlockedOneHoldsNoSendOrQueueWork() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).authenticator(request -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.completedFuture(Device.of("x", "y"));
        }).build());
        AuthRequest request = AuthRequest.builder("test", new InetSocketAddress(0)).build();
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        List<CompletableFuture<Device>> blocked = new ArrayList<>();
        for (int i = 0; i < threads + CoreHub.MAX_WAITING_AUTHENTICATIONS; i++) {
            blocked.add(hub.authenticate(request).toCompletableFuture());
        }
        CompletableFuture<Device> refused = hub.authenticate(request).toCompletableFuture();
        assertThat(refused.handle((d, e) -> e).join()).isInstanceOf(TokException.class)
                .hasMessageContaining("too many logins are being authenticated");

        // every auth thread is blocked; queue work and sends still run on the hub's worker
        assertThat(hub.send("carol", "queued".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join().status())
                .isEqualTo(SendResult.Status.QUEUED);
        InMemoryConnection carol = fx.connect(hub, "carol");
        await().until(() -> carol.texts().equals(List.of("queued")));

        release.countDown();
        CompletableFuture.allOf(blocked.toArray(new CompletableFuture[0])).join();
    }
}
