package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.testkit.InMemoryConnection;
import dev.tok.api.AttributeKey;
import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionContext;
import dev.tok.api.Device;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The connect hook: once per registered connection, before the actor's frames and the close hook, never under a lock. */
class ConnectHookTest {
    private static final AttributeKey<String> GREETING = AttributeKey.of("greeting");
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    @DisplayName("runs once per registered connection, with its context, and not for a refused one")
    void oncePerConnection() {
        Map<ConnectionContext, AtomicInteger> calls = new ConcurrentHashMap<>();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).maxConnectionsPerUser(3)
                .connectHook(c -> calls.computeIfAbsent(c, k -> new AtomicInteger()).incrementAndGet())
                .build());
        for (int i = 0; i < 3; i++) {
            fx.connect(hub, Device.of("alice", "d" + i));
        }
        try {
            fx.connect(hub, Device.of("alice", "refused"));
        } catch (dev.tok.api.ConnectionLimitException expected) {
            // refused: no hook
        }
        await().until(() -> calls.size() == 3);
        assertThat(calls.keySet()).containsExactlyInAnyOrderElementsOf(hub.connections("alice"));
        assertThat(calls.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    }

    @Test
    @DisplayName("frames wait for the hook: the actor sees what the hook set up, on every frame, in order")
    void framesWaitForTheHook() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().maxPendingFrames(4)
                .connectHook(c -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    c.setAttribute(GREETING, "hello " + c.device().uid());
                    c.reply("welcome".getBytes(UTF_8));
                })
                .actor((c, p) -> seen.add(c.attribute(GREETING).orElse("none") + ":" + new String(p, UTF_8)))
                .build());
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "phone"));
        for (int i = 0; i < 10; i++) {
            c.receive(("f" + i).getBytes(UTF_8));
        }
        // the frames pile up behind the hook until reading pauses: none reached the actor
        await().until(() -> c.pauseCalls() == 1);
        assertThat(seen).as("no frame reaches the actor before the hook returned").isEmpty();
        release.countDown();
        await().until(() -> seen.size() == 10);
        for (int i = 0; i < 10; i++) {
            assertThat(seen.get(i)).isEqualTo("hello alice:f" + i);
        }
        assertThat(c.resumeCalls()).isEqualTo(1);
        await().until(() -> c.texts().contains("welcome"));
    }

    @Test
    @DisplayName("the close hook of a connection closed while its connect hook runs waits for the connect hook")
    void closeHookAfterConnectHook() {
        CountDownLatch release = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .connectHook(c -> {
                    events.add("connect " + c.device().deviceId());
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    events.add("connected " + c.device().deviceId());
                })
                .closeHook((d, reason) -> events.add("close " + d.deviceId() + " " + reason))
                .build());
        InMemoryConnection phone = fx.connect(hub, Device.of("alice", "phone"));
        await().until(() -> events.contains("connect phone"));
        phone.peerClose();
        assertThat(events).containsExactly("connect phone");
        release.countDown();
        await().until(() -> events.size() == 3);
        assertThat(events).containsExactly("connect phone", "connected phone", "close phone PEER_CLOSED");
    }

    @Test
    @DisplayName("a hook that throws is logged; the connection stays and its frames flow")
    void throwingHook() {
        List<String> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .connectHook(c -> {
                    throw new IllegalStateException("boom");
                })
                .actor((c, p) -> seen.add(new String(p, UTF_8)))
                .build());
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "phone"));
        c.receive("x".getBytes(UTF_8));
        await().until(() -> seen.size() == 1);
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    @DisplayName("a hook may close the connection it was given")
    void hookMayClose() {
        List<String> closed = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .connectHook(c -> c.close(CloseReason.BANNED))
                .closeHook((d, reason) -> closed.add(reason.name()))
                .build());
        InMemoryConnection c = fx.connect(hub, Device.of("alice", "phone"));
        await().until(() -> closed.size() == 1);
        assertThat(closed).containsExactly("BANNED");
        assertThat(c.closedWith()).contains(CloseReason.BANNED);
        assertThat(hub.isOnline("alice")).isFalse();
    }

    @Test
    @DisplayName("never runs under a hub lock, on the actor executor or (Runnable::run) in the registering thread, while logins race")
    void neverUnderALock() throws Exception {
        for (boolean inline : new boolean[] {false, true}) {
            AtomicReference<CoreHub> ref = new AtomicReference<>();
            List<String> violations = new CopyOnWriteArrayList<>();
            AtomicInteger hooks = new AtomicInteger();
            AtomicInteger policies = new AtomicInteger();
            java.util.function.Consumer<String> check = what -> {
                CoreHub h = ref.get();
                UserSlot slot = h == null ? null : h.slotIfPresent("alice");
                if (slot != null && Thread.holdsLock(slot)) {
                    violations.add(what + " ran under the monitor of user alice on " + Thread.currentThread().getName());
                }
            };
            dev.tok.api.HubConfig.Builder config = HubFixture.config()
                    .sessionPolicy((newcomer, current) -> {
                        check.accept("SessionPolicy");
                        policies.incrementAndGet();
                        return current.size() >= 4 ? current.subList(0, 1) : List.of();
                    })
                    .connectHook(c -> {
                        check.accept("ConnectHook");
                        hooks.incrementAndGet();
                        c.reply("hi".getBytes(UTF_8)).whenComplete((r, e) -> check.accept("a reply's dependent action"));
                    });
            if (inline) {
                config.actorExecutor(Runnable::run);
            }
            CoreHub hub = fx.hub(config.build());
            ref.set(hub);
            int logins = 200;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            for (int i = 0; i < logins; i++) {
                int n = i;
                pool.execute(() -> {
                    InMemoryConnection c = n % 2 == 0 ? fx.connectInline(hub, Device.of("alice", "d" + n))
                            : fx.connect(hub, Device.of("alice", "d" + n));
                    if (n % 3 == 0) {
                        c.peerClose();
                    }
                });
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> hooks.get() == logins);
            assertThat(policies.get()).isGreaterThanOrEqualTo(logins);
            assertThat(violations).as("inline=" + inline).isEmpty();
        }
    }
}
