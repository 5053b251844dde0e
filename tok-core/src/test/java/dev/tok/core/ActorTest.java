package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.testkit.InMemoryConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Guarantee 6: per-connection frame order, and a slow actor never blocks the transport. */
class ActorTest {
    private final HubFixture fx = new HubFixture();
    private final ExecutorService actorPool = Executors.newFixedThreadPool(4);

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
        actorPool.shutdownNow();
    }

    @Test
    void framesOfOneConnectionReachTheActorInArrivalOrder() {
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).actorExecutor(actorPool)
                .actor((c, p) -> seen.computeIfAbsent(c.device().deviceId(), k -> new CopyOnWriteArrayList<>())
                        .add(Integer.parseInt(new String(p, UTF_8))))
                .build());
        InMemoryConnection a = fx.connect(hub, Device.of("u", "a"));
        InMemoryConnection b = fx.connect(hub, Device.of("u", "b"));
        for (int i = 0; i < 2000; i++) {
            a.receive(("" + i).getBytes(UTF_8));
            b.receive(("" + i).getBytes(UTF_8));
        }
        List<Integer> expected = IntStream.range(0, 2000).boxed().collect(Collectors.toList());
        await().until(() -> seen.getOrDefault("a", List.of()).size() == 2000 && seen.getOrDefault("b", List.of()).size() == 2000);
        assertThat(seen.get("a")).isEqualTo(expected);
        assertThat(seen.get("b")).isEqualTo(expected);
        assertThat(hub.metrics().framesUp()).isEqualTo(4000);
    }

    @Test
    void aBlockedActorNeitherBlocksTheTransportNorLosesFramesAndReadingPausesAndResumes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().maxPendingFrames(16).actorExecutor(actorPool)
                .actor((d, p) -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.add(new String(p, UTF_8));
                })
                .build());
        InMemoryConnection c = fx.connect(hub, "u");

        // The "I/O thread": must finish although the actor is stuck.
        ExecutorService ioThread = Executors.newSingleThreadExecutor();
        var io = ioThread.submit(() -> {
            for (int i = 0; i < 100; i++) {
                c.receive(("" + i).getBytes(UTF_8));
            }
        });
        io.get(5, TimeUnit.SECONDS);
        ioThread.shutdown();
        assertThat(c.pauseCalls()).as("reading paused once the inbox passed maxPendingFrames").isEqualTo(1);
        assertThat(c.resumeCalls()).isZero();

        release.countDown();
        await().until(() -> seen.size() == 100);
        assertThat(seen).isEqualTo(IntStream.range(0, 100).mapToObj(Integer::toString).collect(Collectors.toList()));
        assertThat(c.resumeCalls()).isEqualTo(1);
    }

    @Test
    void beforeReceiveTransformsAndRejectsFrames() {
        List<String> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .beforeReceive((d, p) -> {
                    String s = new String(p, UTF_8);
                    if (s.startsWith("bad")) {
                        throw new IllegalArgumentException("rejected");
                    }
                    return s.toUpperCase().getBytes(UTF_8);
                })
                .actor((d, p) -> seen.add(new String(p, UTF_8)))
                .build());
        InMemoryConnection c = fx.connect(hub, "u");
        c.receive("one".getBytes(UTF_8));
        c.receive("bad frame".getBytes(UTF_8));
        c.receive("two".getBytes(UTF_8));
        await().until(() -> seen.size() == 2);
        assertThat(seen).containsExactly("ONE", "TWO");
        assertThat(c.isClosed()).as("a rejected frame leaves the connection open").isFalse();
    }

    @Test
    void anActorExceptionIsLoggedAndTheConnectionStays() {
        List<String> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().actor((d, p) -> {
            String s = new String(p, UTF_8);
            if (s.equals("boom")) {
                throw new IllegalStateException("boom");
            }
            seen.add(s);
        }).build());
        InMemoryConnection c = fx.connect(hub, "u");
        c.receive("boom".getBytes(UTF_8));
        c.receive("after".getBytes(UTF_8));
        await().until(() -> seen.size() == 1);
        assertThat(c.isClosed()).isFalse();
    }
}
