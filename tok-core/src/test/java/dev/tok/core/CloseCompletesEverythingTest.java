package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.AuthRequest;
import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.testkit.InMemoryConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Guarantee 8 under load: when {@code Hub.close()} returns, every stage the hub handed out is
 * complete (normally or with {@link HubClosedException}) and every close hook ran exactly once,
 * even with writes a transport never completes, sends waiting behind them, drains, caching of
 * failed writes, and authentications that block.
 */
class CloseCompletesEverythingTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    /** A transport that never completes a write, not even when closed: the worst case. */
    static final class DeafConnection implements ConAdapter {
        final CompletableFuture<Connection> connection = new CompletableFuture<>();

        @Override
        public CompletionStage<Void> write(byte[] frame) {
            return new CompletableFuture<>();
        }

        @Override
        public void close(CloseReason reason) {
            connection.thenAccept(c -> c.onClosed(reason));
        }

        @Override
        public String transport() {
            return "deaf";
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 2);
        }
    }

    @RepeatedTest(3)
    void afterCloseEveryStageIsCompleteAndEveryCloseHookRanOnce() throws Exception {
        Map<String, AtomicInteger> hooksByDevice = new ConcurrentHashMap<>();
        CountDownLatch authBlocks = new CountDownLatch(1);
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).maxConnectionsPerUser(100_000).queue(queue)
                .writeTimeout(Duration.ofMillis(200))
                .closeHook((device, reason) -> hooksByDevice.computeIfAbsent(device.deviceId(), k -> new AtomicInteger())
                        .incrementAndGet())
                .authenticator(request -> {
                    try {
                        authBlocks.await(); // an authenticator stuck on a slow identity service
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return CompletableFuture.completedFuture(Device.of("x", "y"));
                })
                .build());
        java.util.Queue<CompletableFuture<?>> stages = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicInteger stageCount = new AtomicInteger();
        AtomicInteger registered = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService load = Executors.newFixedThreadPool(4);
        int users = 20;
        for (int i = 0; i < 8; i++) {
            stages.add(hub.authenticate(AuthRequest.builder("test", new InetSocketAddress(0)).build()).toCompletableFuture());
        }
        for (int t = 0; t < 2; t++) {
            int thread = t;
            load.submit(() -> {
                for (int i = 0; running.get(); i++) {
                    String uid = "u" + (i % users);
                    Duration ttl = i % 5 == 0 ? Duration.ZERO : Duration.ofMinutes(1);
                    try {
                        stages.add(hub.send(uid, ("m" + thread + ":" + i).getBytes(UTF_8), ttl).toCompletableFuture());
                    } catch (RuntimeException e) {
                        stages.add(CompletableFuture.failedFuture(e));
                    }
                    stageCount.incrementAndGet();
                }
            });
        }
        load.submit(() -> {
            for (int i = 0; running.get(); i++) {
                String uid = "u" + (i % users);
                String deviceId = "d" + i;
                try {
                    if (i % 3 == 0) {
                        DeafConnection deaf = new DeafConnection();
                        deaf.connection.complete(hub.register(Device.of(uid, deviceId), deaf));
                    } else {
                        InMemoryConnection c = fx.connect(hub, Device.of(uid, deviceId), n -> n % 7 == 3);
                        if (i % 4 == 0) {
                            c.peerClose();
                        }
                    }
                    registered.incrementAndGet();
                    hooksByDevice.putIfAbsent(deviceId, new AtomicInteger());
                } catch (HubClosedException e) {
                    return;
                }
            }
        });
        while (stageCount.get() < 20_000 || registered.get() < 100) {
            Thread.onSpinWait();
        }
        hub.close();
        running.set(false);
        load.shutdown();
        assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        authBlocks.countDown();

        // Stages added after close() returned were refused at once; everything must be complete now.
        List<CompletableFuture<?>> incomplete = new ArrayList<>();
        for (CompletableFuture<?> s : stages) {
            if (!s.isDone()) {
                incomplete.add(s);
            }
        }
        assertThat(incomplete).as("stages still incomplete after Hub.close() returned (of %d)", stages.size()).isEmpty();
        assertThat(registered.get()).isPositive();
        hooksByDevice.forEach((device, n) -> assertThat(n.get()).as("close hook runs of device %s", device).isEqualTo(1));
    }
}
