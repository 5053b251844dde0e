package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.testkit.InMemoryConnection;
import dev.tok.api.AttributeKey;
import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionContext;
import dev.tok.api.Device;
import dev.tok.api.OfflineException;
import dev.tok.api.SendResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The actor's view of its connection: reply to it alone, its hub, close, attributes. */
class ConnectionContextTest {
    private static final AttributeKey<Integer> COUNT = AttributeKey.of("count");
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    @DisplayName("a reply reaches only the connection that sent the frame, not the user's other devices")
    void replyReachesOnlyTheReplyingConnection() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false)
                .actor((connection, payload) -> connection.reply(("re:" + new String(payload, UTF_8)).getBytes(UTF_8)))
                .build());
        InMemoryConnection phone = fx.connect(hub, Device.of("alice", "phone"));
        InMemoryConnection laptop = fx.connect(hub, Device.of("alice", "laptop"));
        phone.receive("p1".getBytes(UTF_8));
        laptop.receive("l1".getBytes(UTF_8));
        phone.receive("p2".getBytes(UTF_8));
        await().until(() -> phone.texts().size() == 2 && laptop.texts().size() == 1);
        assertThat(phone.texts()).containsExactly("re:p1", "re:p2");
        assertThat(laptop.texts()).containsExactly("re:l1");
    }

    @Test
    @DisplayName("two connections of one device: a reply reaches only the one that asked")
    void replyTellsConnectionsOfOneDeviceApart() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false)
                .actor((connection, payload) -> connection.reply(payload))
                .build());
        InMemoryConnection first = fx.connect(hub, Device.of("alice", "phone"));
        InMemoryConnection second = fx.connect(hub, Device.of("alice", "phone"));
        second.receive("x".getBytes(UTF_8));
        await().until(() -> second.texts().size() == 1);
        assertThat(first.texts()).isEmpty();
    }

    @Test
    @DisplayName("reply goes through BeforeSend, completes with one delivery, and fails with OfflineException once closed")
    void replyResultAndFailure() {
        AtomicReference<ConnectionContext> seen = new AtomicReference<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .beforeSend((device, payload) -> ("[" + new String(payload, UTF_8) + "]").getBytes(UTF_8))
                .actor((connection, payload) -> seen.set(connection))
                .build());
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "phone"));
        c.receive("hello".getBytes(UTF_8));
        await().until(() -> seen.get() != null);
        ConnectionContext ctx = seen.get();

        SendResult r = ctx.reply("one".getBytes(UTF_8)).toCompletableFuture().join();
        assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(r.deliveries()).hasSize(1);
        assertThat(r.queued()).isFalse();
        assertThat(c.texts()).containsExactly("[one]");

        c.peerClose();
        assertThat(ctx.isOpen()).isFalse();
        assertThatThrownBy(() -> ctx.reply("two".getBytes(UTF_8)).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(OfflineException.class)
                .hasMessageContaining("phone");
        assertThat(c.texts()).containsExactly("[one]");
    }

    @Test
    @DisplayName("a reply waits behind the login's queue drain and behind earlier sends to the user")
    void replyKeepsTheUsersOrder() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().queue(queue).build());
        for (int i = 0; i < 3; i++) {
            hub.send("alice", ("q" + i).getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        }
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "phone"));
        ConnectionContext ctx = hub.connections("alice").get(0);
        hub.send("alice", "s1".getBytes(UTF_8), Duration.ZERO);
        ctx.reply("r1".getBytes(UTF_8));
        hub.send("alice", "s2".getBytes(UTF_8), Duration.ZERO);
        ctx.reply("r2".getBytes(UTF_8)).toCompletableFuture().join();
        await().until(() -> c.texts().size() == 7);
        assertThat(c.texts()).containsExactly("q0", "q1", "q2", "s1", "r1", "s2", "r2");
    }

    @Test
    @DisplayName("one context per connection: the same object on every frame, in connections(uid), with the hub and the adapter's facts")
    void oneContextPerConnection() {
        List<ConnectionContext> seen = new CopyOnWriteArrayList<>();
        Instant before = Instant.now();
        CoreHub hub = fx.hub(HubFixture.config().actor((connection, payload) -> seen.add(connection)).build());
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "phone"));
        c.receive("1".getBytes(UTF_8));
        c.receive("2".getBytes(UTF_8));
        await().until(() -> seen.size() == 2);
        ConnectionContext ctx = seen.get(0);
        assertThat(seen.get(1)).isSameAs(ctx);
        assertThat(hub.connections("alice")).containsExactly(ctx);
        assertThat(ctx.hub()).isSameAs(hub);
        assertThat(ctx.device()).isEqualTo(Device.of("alice", "phone"));
        assertThat(ctx.transport()).isEqualTo("in-memory");
        assertThat(ctx.remoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 1));
        assertThat(ctx.connectedAt()).isBetween(before, Instant.now());
        assertThat(ctx.isOpen()).isTrue();
        assertThat(ctx).isNotInstanceOf(dev.tok.api.spi.Connection.class);
    }

    @Test
    @DisplayName("attributes: typed, absent until set, replaced, removed; a key is equal only to itself")
    void attributes() {
        CoreHub hub = fx.hub(HubFixture.config().build());
        fx.connect(hub, Device.of("alice", "phone"));
        ConnectionContext ctx = hub.connections("alice").get(0);
        assertThat(ctx.attribute(COUNT)).isEmpty();
        assertThat(ctx.removeAttribute(COUNT)).isEmpty();
        assertThat(ctx.setAttribute(COUNT, 1)).isEmpty();
        assertThat(ctx.setAttribute(COUNT, 2)).contains(1);
        assertThat(ctx.attribute(COUNT)).contains(2);
        assertThat(ctx.attribute(AttributeKey.<Integer>of("count"))).as("another key of the same name").isEmpty();
        assertThat(ctx.removeAttribute(COUNT)).contains(2);
        assertThat(ctx.attribute(COUNT)).isEmpty();
        assertThatThrownBy(() -> ctx.setAttribute(COUNT, null)).isInstanceOf(NullPointerException.class);
        assertThat(COUNT.name()).isEqualTo("count");
    }

    @Test
    @DisplayName("close(reason) from the actor flushes what was written, closes gracefully, and the close hook gets the reason")
    void closeFromTheActor() {
        List<String> closed = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .actor((connection, payload) -> {
                    connection.reply("goodbye".getBytes(UTF_8));
                    connection.close(CloseReason.BANNED);
                })
                .closeHook((device, reason) -> closed.add(device.deviceId() + ":" + reason))
                .build());
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "phone"));
        // A reply made while the login's drain of the queue still runs waits behind it, and the
        // close right after it would come first: wait until the login settled (the fast path is open).
        await().until(() -> {
            UserSlot slot = hub.slotIfPresent("alice");
            synchronized (slot) {
                return slot.fastPathOpen();
            }
        });
        c.receive("spam".getBytes(UTF_8));
        await().until(() -> closed.size() == 1);
        assertThat(closed).containsExactly("phone:BANNED");
        assertThat(c.closedWith()).contains(CloseReason.BANNED);
        assertThat(c.abortCalls()).as("an application close is graceful").isZero();
        assertThat(c.texts()).containsExactly("goodbye");
        assertThat(hub.isOnline("alice")).isFalse();
        assertThat(hub.connections("alice")).isEmpty();
    }

    @Test
    @DisplayName("BeforeReceive gets the context too")
    void beforeReceiveGetsTheContext() {
        List<String> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .beforeReceive((connection, payload) -> (connection.device().deviceId() + ">" + new String(payload, UTF_8))
                        .getBytes(UTF_8))
                .actor((connection, payload) -> seen.add(new String(payload, UTF_8)))
                .build());
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "phone"));
        c.receive("x".getBytes(UTF_8));
        await().until(() -> seen.size() == 1);
        assertThat(seen).containsExactly("phone>x");
    }
}
