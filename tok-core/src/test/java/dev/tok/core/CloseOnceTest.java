package dev.tok.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.testkit.InMemoryConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Guarantee 5: close runs exactly once per connection and calls the close hook once. */
class CloseOnceTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @RepeatedTest(10)
    void racingClosesCallTheHookOnce() throws Exception {
        Map<String, AtomicInteger> hookCalls = new ConcurrentHashMap<>();
        CoreHub hub = fx.hub(HubFixture.config().sso(false)
                .closeHook((d, r) -> hookCalls.computeIfAbsent(d.deviceId(), k -> new AtomicInteger()).incrementAndGet())
                .build());
        int n = 50;
        InMemoryConnection[] conns = new InMemoryConnection[n];
        for (int i = 0; i < n; i++) {
            conns[i] = fx.connect(hub, Device.of("u" + (i % 5), "d" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            InMemoryConnection c = conns[i];
            String uid = "u" + (i % 5);
            pool.execute(() -> after(start, c::peerClose));
            pool.execute(() -> after(start, c::peerClose));
            pool.execute(() -> after(start, () -> hub.kick(uid)));
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        hub.close();

        await().until(() -> hookCalls.size() == n);
        assertThat(hookCalls.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        assertThat(hub.metrics().onlineConnections()).isZero();
        assertThat(hub.metrics().onlineUsers()).isZero();
    }

    @RepeatedTest(20)
    void ssoKickCallsTheHookOnceForTheOlderConnection() {
        AtomicInteger calls = new AtomicInteger();
        java.util.List<String> who = new java.util.concurrent.CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().closeHook((d, r) -> { calls.incrementAndGet(); who.add(d.deviceId() + "@" + Thread.currentThread().getName()); }).build());
        InMemoryConnection old = fx.connect(hub, "alice");
        fx.connect(hub, "alice");
        old.peerClose();
        hub.close();
        // the newer connection is closed by hub.close(): one call each, all finished when close() returns
        assertThat(calls.get()).as("%s", who).isEqualTo(2);
    }

    private static void after(CountDownLatch latch, Runnable r) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        r.run();
    }
}
