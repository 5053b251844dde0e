package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.testkit.InMemoryConnection;
import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionContext;
import dev.tok.api.ConnectionLimitException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.SessionPolicy;
import dev.tok.api.TokException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The session policy: which of a user's connections a login replaces, or whether it is refused. */
class SessionPolicyTest {
    private static final Function<Device, String> PLATFORM = d -> d.metadata().getOrDefault("platform", "other");
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    private static Device device(String uid, String id, String platform) {
        return new Device(uid, id, Map.of("platform", platform));
    }

    private static HubConfig.Builder withBye() {
        return HubFixture.config().byeGenerator((kicker, reason, device) -> Optional.of(("bye:" + reason).getBytes(UTF_8)));
    }

    @Test
    @DisplayName("singleSignOn(): the newest connection wins, the older get the bye and SSO_REPLACED; it wins over sso(false)")
    void singleSignOn() {
        CoreHub hub = fx.hub(withBye().sso(false).sessionPolicy(SessionPolicy.singleSignOn()).build());
        InMemoryConnection phone = fx.connect(hub, device("alice", "phone", "mobile"));
        InMemoryConnection desktop = fx.connect(hub, device("alice", "desktop", "desktop"));
        assertThat(phone.isClosed()).isTrue();
        assertThat(phone.texts()).containsExactly("bye:sso");
        assertThat(phone.closedWith()).contains(CloseReason.SSO_REPLACED);
        assertThat(desktop.isClosed()).isFalse();
        assertThat(hub.connections("alice")).extracting(c -> c.device().deviceId()).containsExactly("desktop");
        assertThat(hub.metrics().onlineConnections()).isEqualTo(1);
    }

    @Test
    @DisplayName("shareAll(n): every connection stays, one beyond n is refused with ConnectionLimitException")
    void shareAll() {
        CoreHub hub = fx.hub(withBye().sessionPolicy(SessionPolicy.shareAll(2)).build());
        InMemoryConnection a = fx.connect(hub, device("alice", "a", "mobile"));
        InMemoryConnection b = fx.connect(hub, device("alice", "b", "mobile"));
        assertThatThrownBy(() -> fx.connect(hub, device("alice", "c", "desktop")))
                .isInstanceOf(ConnectionLimitException.class).hasMessageContaining("shareAll(2)")
                .hasMessageContaining("already holds 2");
        assertThat(a.isClosed()).isFalse();
        assertThat(b.isClosed()).isFalse();
        assertThat(hub.connections("alice")).hasSize(2);
        assertThat(hub.metrics().onlineConnections()).isEqualTo(2);
        assertThatThrownBy(() -> SessionPolicy.shareAll(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the shorthands choose the built-ins: sso(true) single sign-on, sso(false) shareAll(maxConnectionsPerUser)")
    void shorthands() {
        assertThat(HubFixture.config().build().sessionPolicy()).isSameAs(SessionPolicy.singleSignOn());
        assertThat(HubFixture.config().sso(false).maxConnectionsPerUser(3).build().sessionPolicy())
                .hasToString("SessionPolicy.shareAll(3)");
        SessionPolicy mine = (n, c) -> List.of();
        assertThat(HubFixture.config().sessionPolicy(mine).sso(true).build().sessionPolicy()).isSameAs(mine);
        assertThat(HubFixture.config().sessionPolicy(mine).build().toBuilder().build().sessionPolicy()).isSameAs(mine);
    }

    @Test
    @DisplayName("onePerKind: the newest of each kind wins, the other kinds stay")
    void onePerKind() {
        CoreHub hub = fx.hub(withBye().sessionPolicy(SessionPolicy.onePerKind(PLATFORM)).build());
        InMemoryConnection phone1 = fx.connect(hub, device("alice", "phone1", "mobile"));
        InMemoryConnection desktop = fx.connect(hub, device("alice", "desktop", "desktop"));
        InMemoryConnection phone2 = fx.connect(hub, device("alice", "phone2", "mobile"));
        InMemoryConnection bobPhone = fx.connect(hub, device("bob", "phone", "mobile"));
        assertThat(phone1.isClosed()).isTrue();
        assertThat(phone1.texts()).containsExactly("bye:sso");
        assertThat(phone1.closedWith()).contains(CloseReason.SSO_REPLACED);
        assertThat(desktop.isClosed()).isFalse();
        assertThat(phone2.isClosed()).isFalse();
        assertThat(bobPhone.isClosed()).isFalse();
        assertThat(hub.connections("alice")).extracting(c -> c.device().deviceId()).containsExactly("desktop", "phone2");
    }

    @RepeatedTest(10)
    @DisplayName("onePerKind under a race of 50 concurrent logins: exactly one connection of each kind survives")
    void onePerKindRace() throws Exception {
        CoreHub hub = fx.hub(withBye().sessionPolicy(SessionPolicy.onePerKind(PLATFORM)).build());
        int logins = 50;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<InMemoryConnection> conns = new CopyOnWriteArrayList<>();
        List<String> kinds = List.of("mobile", "desktop", "web");
        for (int i = 0; i < logins; i++) {
            int n = i;
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                conns.add(fx.connect(hub, device("alice", "d" + n, kinds.get(n % kinds.size()))));
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        List<ConnectionContext> kept = hub.connections("alice");
        assertThat(kept.stream().map(c -> PLATFORM.apply(c.device())).collect(Collectors.toList()))
                .containsExactlyInAnyOrderElementsOf(kinds);
        assertThat(conns.stream().filter(c -> !c.isClosed())).hasSize(kinds.size());
        assertThat(hub.metrics().onlineConnections()).isEqualTo(kinds.size());
        assertThat(hub.metrics().onlineUsers()).isEqualTo(1);
        await().until(() -> conns.stream().filter(InMemoryConnection::isClosed).count() == logins - kinds.size());
        assertThat(conns.stream().filter(InMemoryConnection::isClosed))
                .allSatisfy(c -> assertThat(c.closedWith()).contains(CloseReason.SSO_REPLACED));
    }

    @Test
    @DisplayName("a custom policy sees the newcomer and the current connections oldest first; what it returns is closed")
    void customPolicy() {
        List<String> calls = new CopyOnWriteArrayList<>();
        SessionPolicy keepTwoNewest = (newcomer, current) -> {
            calls.add(newcomer.device().deviceId() + "<" + current.stream().map(c -> c.device().deviceId())
                    .collect(Collectors.joining(",")));
            return current.size() < 2 ? List.of() : current.subList(0, current.size() - 1);
        };
        CoreHub hub = fx.hub(HubFixture.config().sessionPolicy(keepTwoNewest).build());
        InMemoryConnection a = fx.connect(hub, Device.of("alice", "a"));
        InMemoryConnection b = fx.connect(hub, Device.of("alice", "b"));
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "c"));
        assertThat(calls).containsExactly("a<", "b<a", "c<a,b");
        assertThat(a.isClosed()).isTrue();
        assertThat(b.isClosed()).isFalse();
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    @DisplayName("a policy that fails or returns null refuses the login and leaves the user's connections alone")
    void failingPolicy() {
        CoreHub hub = fx.hub(HubFixture.config().sessionPolicy((n, current) -> {
            if (n.device().deviceId().equals("boom")) {
                throw new IllegalStateException("bug");
            }
            return n.device().deviceId().equals("null") ? null : List.of();
        }).build());
        InMemoryConnection a = fx.connect(hub, Device.of("alice", "a"));
        assertThatThrownBy(() -> fx.connect(hub, Device.of("alice", "boom"))).isInstanceOf(TokException.class)
                .hasMessageContaining("SessionPolicy").hasRootCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> fx.connect(hub, Device.of("alice", "null"))).isInstanceOf(TokException.class)
                .hasMessageContaining("returned null");
        assertThat(a.isClosed()).isFalse();
        assertThat(hub.connections("alice")).hasSize(1);
    }

    @Test
    @DisplayName("a connection sharing the newcomer's underlying connection is never closed, whatever the policy says")
    void sharedConnectionsAreKept() {
        CoreHub hub = fx.hub(HubFixture.config().sessionPolicy(SessionPolicy.onePerKind(d -> "all")).build());
        InMemoryConnection first = fx.connect(hub, Device.of("alice", "d"));
        InMemoryConnection second = InMemoryConnection.completingOn(fx.io);
        second.shareConnectionWith(first);
        second.attach(hub.register(Device.of("alice", "d"), second));
        assertThat(first.isClosed()).isFalse();
        assertThat(hub.connections("alice")).hasSize(2);
    }
}
