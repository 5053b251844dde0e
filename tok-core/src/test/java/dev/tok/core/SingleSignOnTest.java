package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Guarantee 4: single sign-on. */
class SingleSignOnTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    void newestConnectionWinsAndTheOlderGetsTheByeThroughBeforeSend() {
        List<String> byeArgs = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .byeGenerator((kicker, reason, device) -> {
                    byeArgs.add(kicker.deviceId() + "/" + reason + "/" + device.deviceId());
                    return Optional.of("bye".getBytes(UTF_8));
                })
                .beforeSend((device, payload) -> ("[" + new String(payload, UTF_8) + "]").getBytes(UTF_8))
                .build());
        InMemoryConnection phone = fx.connect(hub, Device.of("alice", "phone"));
        InMemoryConnection laptop = fx.connect(hub, Device.of("alice", "laptop"));

        assertThat(phone.texts()).containsExactly("[bye]");
        assertThat(phone.closeCalls()).isEqualTo(1);
        assertThat(laptop.isClosed()).isFalse();
        assertThat(byeArgs).containsExactly("laptop/sso/phone");
        hub.send("alice", "hi".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        assertThat(laptop.texts()).containsExactly("[hi]");
        assertThat(hub.metrics().onlineConnections()).isEqualTo(1);
    }

    @Test
    void anEmptyByeSendsNothing() {
        CoreHub hub = fx.hub(HubFixture.config().byeGenerator((k, r, d) -> Optional.empty()).build());
        InMemoryConnection first = fx.connect(hub, "alice");
        fx.connect(hub, "alice");
        assertThat(first.isClosed()).isTrue();
        assertThat(first.texts()).isEmpty();
    }

    @Test
    void adaptersSharingAConnectionDoNotKickEachOther() {
        CoreHub hub = fx.hub(HubFixture.config().build());
        InMemoryConnection first = fx.connect(hub, "alice");
        InMemoryConnection second = InMemoryConnection.completingOn(fx.io);
        second.shareConnectionWith(first);
        second.attach(hub.register(Device.of("alice", "d"), second));
        assertThat(first.isClosed()).isFalse();
        assertThat(hub.metrics().onlineConnections()).isEqualTo(2);
    }

    @RepeatedTest(20)
    void concurrentLoginsEndWithExactlyOneConnection() throws Exception {
        CoreHub hub = fx.hub(HubFixture.config().build());
        int logins = 16;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<InMemoryConnection> conns = new CopyOnWriteArrayList<>();
        for (int i = 0; i < logins; i++) {
            int n = i;
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                conns.add(fx.connect(hub, Device.of("alice", "d" + n)));
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(conns.stream().filter(c -> !c.isClosed())).hasSize(1);
        assertThat(hub.metrics().onlineConnections()).isEqualTo(1);
        assertThat(hub.metrics().onlineUsers()).isEqualTo(1);
        await().until(() -> conns.stream().filter(InMemoryConnection::isClosed).count() == logins - 1);
    }

    @Test
    void withSsoOffEveryConnectionReceivesEveryMessage() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false).build());
        InMemoryConnection a = fx.connect(hub, Device.of("alice", "a"));
        InMemoryConnection b = fx.connect(hub, Device.of("alice", "b"));
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "c"));
        hub.send("alice", "1".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        hub.send("alice", "2".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        for (InMemoryConnection t : List.of(a, b, c)) {
            assertThat(t.texts()).containsExactly("1", "2");
            assertThat(t.isClosed()).isFalse();
        }
    }

    @Test
    void withSsoOffTheConnectionLimitPerUserIsEnforced() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false).maxConnectionsPerUser(2).build());
        fx.connect(hub, "alice");
        fx.connect(hub, "alice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fx.connect(hub, "alice"))
                .isInstanceOf(dev.tok.api.ConnectionLimitException.class)
                .hasMessageContaining("maxConnectionsPerUser").hasMessageContaining("tok.hub.max-connections-per-user");
        assertThat(hub.metrics().onlineConnections()).isEqualTo(2);
    }
}
