package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CacheFailedException;
import dev.tok.api.Delivery;
import dev.tok.api.DeliveryFailedException;
import dev.tok.api.Device;
import dev.tok.api.OfflineException;
import dev.tok.api.QueueFullException;
import dev.tok.api.QueueRequiredException;
import dev.tok.api.SendResult;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SendTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void onlineUserReceivesOnEveryConnection() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false).queue(new TestQueue()).build());
        InMemoryConnection a = fx.connect(hub, "alice");
        InMemoryConnection b = fx.connect(hub, "alice");

        SendResult r = hub.send("alice", b("hi"), Duration.ZERO).toCompletableFuture().join();

        assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(r.deliveries()).hasSize(2).allMatch(d -> d.succeeded());
        assertThat(a.texts()).containsExactly("hi");
        assertThat(b.texts()).containsExactly("hi");
        assertThat(hub.isOnline("alice")).isTrue();
        assertThat(hub.online()).containsExactly("alice");
        assertThat(hub.metrics().framesDown()).isEqualTo(2);
    }

    @Test
    void sendsToOneConnectionShareOneImmutableResultAndAFailureStillGetsItsOwn() {
        CoreHub hub = fx.hub(HubFixture.config().noQueue().build());
        Device alice = Device.of("alice", "phone");
        fx.connect(hub, alice, n -> n == 1); // the second write fails, the connection stays open

        SendResult first = hub.send("alice", b("1"), Duration.ZERO).toCompletableFuture().join();
        assertThatThrownBy(() -> hub.send("alice", b("2"), Duration.ZERO).toCompletableFuture().join())
                .hasCauseInstanceOf(DeliveryFailedException.class)
                .satisfies(e -> {
                    SendResult failed = ((DeliveryFailedException) e.getCause()).result();
                    assertThat(failed.deliveries()).singleElement().satisfies(d -> {
                        assertThat(d.device()).isEqualTo(alice);
                        assertThat(d.failure()).isPresent();
                    });
                });
        SendResult third = hub.send("alice", b("3"), Duration.ZERO).toCompletableFuture().join();

        assertThat(first.status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(first.queued()).isFalse();
        assertThat(first.deliveries()).containsExactly(new Delivery(alice, "in-memory", Optional.empty()));
        // no result allocated per send: the connection's shared one, untouched by the failure in between
        assertThat(third).isSameAs(first);
        assertThat(third.deliveries()).containsExactly(new Delivery(alice, "in-memory", Optional.empty()));
        assertThatThrownBy(() -> first.deliveries().add(first.deliveries().get(0)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void offlineWithZeroTtlFailsWithOfflineAndStoresNothing() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());

        assertThatThrownBy(() -> hub.send("bob", b("x"), Duration.ZERO).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(OfflineException.class);
        assertThat(queue.size("bob")).isZero();
    }

    @Test
    void offlineWithTtlIsQueuedAndDeliveredAtLogin() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());

        SendResult r = hub.send("bob", b("later"), Duration.ofMinutes(5)).toCompletableFuture().join();
        assertThat(r.status()).isEqualTo(SendResult.Status.QUEUED);
        assertThat(r.queued()).isTrue();
        assertThat(queue.size("bob")).isEqualTo(1);
        assertThat(hub.metrics().enqueued()).isEqualTo(1);

        InMemoryConnection bob = fx.connect(hub, "bob");
        await().until(() -> bob.texts().size() == 1);
        assertThat(bob.texts()).containsExactly("later");
        await().until(() -> queue.size("bob") == 0);
        assertThat(hub.metrics().dequeued()).isEqualTo(1);
    }

    @Test
    void withoutQueueTheSendFailsWithCacheFailedCausedByQueueRequired() {
        CoreHub hub = fx.hub(HubFixture.config().noQueue().build());

        assertThatThrownBy(() -> hub.send("bob", b("x"), Duration.ofMinutes(1)).toCompletableFuture().join())
                .hasCauseInstanceOf(CacheFailedException.class)
                .satisfies(e -> assertThat(e.getCause().getCause()).isInstanceOf(QueueRequiredException.class));
    }

    @Test
    void aFullQueueFailsTheSendWithCacheFailed() {
        CoreHub hub = fx.hub(HubFixture.config().queue(new TestQueue(1)).build());
        hub.send("bob", b("1"), Duration.ofMinutes(1)).toCompletableFuture().join();

        assertThatThrownBy(() -> hub.send("bob", b("2"), Duration.ofMinutes(1)).toCompletableFuture().join())
                .hasCauseInstanceOf(CacheFailedException.class)
                .satisfies(e -> assertThat(e.getCause().getCause()).isInstanceOf(QueueFullException.class));
    }

    @Test
    void expiredQueuedMessagesAreNotDelivered() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        hub.send("bob", b("short"), Duration.ofMillis(1)).toCompletableFuture().join();
        hub.send("bob", b("long"), Duration.ofMinutes(1)).toCompletableFuture().join();
        await().until(() -> queue.size("bob") == 1);

        InMemoryConnection bob = fx.connect(hub, "bob");

        await().until(() -> bob.texts().size() == 1);
        assertThat(bob.texts()).containsExactly("long");
    }

    @Test
    void kickClosesEveryConnectionWithoutBye() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false)
                .byeGenerator((k, r, d) -> java.util.Optional.of(b("bye"))).build());
        InMemoryConnection a = fx.connect(hub, "alice");
        InMemoryConnection b = fx.connect(hub, "alice");

        assertThat(hub.kick("alice")).isEqualTo(2);

        assertThat(a.isClosed()).isTrue();
        assertThat(b.isClosed()).isTrue();
        assertThat(a.texts()).isEmpty();
        assertThat(hub.isOnline("alice")).isFalse();
        assertThat(hub.metrics().onlineUsers()).isZero();
        assertThat(hub.metrics().onlineConnections()).isZero();
    }

    @Test
    void sendArgumentsAreChecked() {
        CoreHub hub = fx.hub(HubFixture.config().build());
        assertThatThrownBy(() -> hub.send((String) null, b("x"), Duration.ZERO)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("uid");
        assertThatThrownBy(() -> hub.send("a", b("x"), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    }
}
