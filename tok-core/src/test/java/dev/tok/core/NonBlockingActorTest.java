package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A declared non-blocking actor runs on the thread that read the frame (no hand-off), in order;
 * three runs that stall within a minute move it to the actor executor for good (guarantee 6:
 * after them, a blocking actor no longer blocks the reading thread), one or two do not (a
 * garbage collection or a starved CPU stalls a run as well), nor do slow runs in the warm-up.
 */
class NonBlockingActorTest {
    private final HubFixture fx = new HubFixture();
    private final ExecutorService actorPool = Executors.newFixedThreadPool(2, new NamedThreadFactory("test-actor"));
    /** Stands in for a transport's I/O thread. */
    private final ExecutorService reader = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-reader"));

    /** What the actor saw: the frame and the thread it ran on. */
    private record Seen(String frame, String thread) { }

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
        actorPool.shutdownNow();
        reader.shutdownNow();
    }

    @Test
    void theActorRunsOnTheReadingThreadInOrder() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().nonBlockingActor(true).actorStallThreshold(Duration.ofSeconds(10))
                .actorExecutor(actorPool)
                .actor((c, p) -> seen.add(new Seen(new String(p, UTF_8), Thread.currentThread().getName())))
                .build());
        InMemoryConnection c = fx.connect(hub, "u");
        reader.submit(() -> IntStream.range(0, 500).forEach(i -> c.receive(("" + i).getBytes(UTF_8)))).get(30, TimeUnit.SECONDS);

        assertThat(seen).as("handed over before receive returned: no hand-off").hasSize(500);
        assertThat(seen.stream().map(Seen::frame).collect(Collectors.toList())).isEqualTo(numbers(0, 500));
        assertThat(seen.stream().map(Seen::thread).distinct()).singleElement().asString().startsWith("tok-test-reader");
        assertThat(hub.actorInline).isTrue();
        assertThat(hub.metrics().framesUp()).isEqualTo(500);
    }

    @Test
    void aStallMovesTheActorToTheExecutorForGoodAndKeepsTheOrder() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().nonBlockingActor(true).actorStallThreshold(Duration.ofMillis(250))
                .actorExecutor(actorPool)
                .actor((c, p) -> {
                    String frame = new String(p, UTF_8);
                    if (frame.equals("700") || frame.equals("701") || frame.equals("702")) { // past the warm-up
                        sleep(500); // blocks, although declared non-blocking
                    }
                    seen.add(new Seen(frame, Thread.currentThread().getName()));
                })
                .build());
        InMemoryConnection a = fx.connect(hub, Device.of("a", "d"));
        InMemoryConnection b = fx.connect(hub, Device.of("b", "d"));
        reader.submit(() -> {
            for (int i = 0; i < 1000; i++) {
                a.receive(("" + i).getBytes(UTF_8));
                b.receive(("b" + i).getBytes(UTF_8));
            }
        }).get(30, TimeUnit.SECONDS);

        await().until(() -> seen.size() == 2000);
        assertThat(hub.actorInline).as("moved to the actor executor").isFalse();
        Map<Boolean, List<Seen>> byConnection = seen.stream().collect(Collectors.partitioningBy(s -> s.frame().startsWith("b")));
        assertThat(byConnection.get(false).stream().map(Seen::frame).collect(Collectors.toList())).isEqualTo(numbers(0, 1000));
        assertThat(byConnection.get(true).stream().map(s -> s.frame().substring(1)).collect(Collectors.toList()))
                .isEqualTo(numbers(0, 1000));
        Map<String, String> threadOf = seen.stream().collect(Collectors.toMap(Seen::frame, Seen::thread));
        assertThat(threadOf.get("699")).as("before the stalls").startsWith("tok-test-reader");
        assertThat(threadOf.get("b700")).as("one stall may be the process's: still inline").startsWith("tok-test-reader");
        assertThat(threadOf.get("b701")).as("two stalls: still inline").startsWith("tok-test-reader");
        assertThat(threadOf.get("702")).as("the third stalled run").startsWith("tok-test-reader");
        for (int i = 703; i < 1000; i++) {
            assertThat(threadOf.get("" + i)).as("frame %d, after the stall", i).startsWith("tok-test-actor");
            assertThat(threadOf.get("b" + i)).as("frame b%d, after the stall", i).startsWith("tok-test-actor");
        }
    }

    @Test
    void afterTheStallABlockedActorNoLongerBlocksTheReadingThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().nonBlockingActor(true).actorStallThreshold(Duration.ofMillis(20))
                .actorExecutor(actorPool)
                .actor((c, p) -> {
                    String frame = new String(p, UTF_8);
                    if (frame.equals("stall")) {
                        sleep(100);
                    } else if (frame.equals("block")) {
                        awaitLatch(release);
                    }
                    seen.add(frame);
                })
                .build());
        InMemoryConnection c = fx.connect(hub, "u");
        reader.submit(() -> {
            IntStream.range(0, CoreHub.ACTOR_WARM_UP_FRAMES).forEach(i -> c.receive("warm".getBytes(UTF_8)));
            for (int i = 0; i < CoreHub.ACTOR_STALLS; i++) {
                c.receive("stall".getBytes(UTF_8));
            }
        }).get(30, TimeUnit.SECONDS);
        assertThat(hub.actorInline).isFalse();
        seen.removeIf("warm"::equals);

        Future<?> reading = reader.submit(() -> {
            c.receive("block".getBytes(UTF_8));
            c.receive("after".getBytes(UTF_8));
        });
        reading.get(30, TimeUnit.SECONDS); // returns while the actor is blocked on another thread
        assertThat(seen).containsExactly("stall", "stall", "stall");
        release.countDown();
        await().until(() -> seen.size() == 5);
        assertThat(seen).containsExactly("stall", "stall", "stall", "block", "after");
    }

    @Test
    void slowRunsDuringTheWarmUpAreNotTakenForBlocking() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().nonBlockingActor(true).actorStallThreshold(Duration.ofMillis(20))
                .actorExecutor(actorPool)
                .actor((c, p) -> {
                    String frame = new String(p, UTF_8);
                    if (frame.equals("0")) {
                        sleep(100); // as a first run that loads and initialises classes may
                    }
                    seen.add(new Seen(frame, Thread.currentThread().getName()));
                })
                .build());
        InMemoryConnection c = fx.connect(hub, "u");
        reader.submit(() -> IntStream.range(0, 10).forEach(i -> c.receive(("" + i).getBytes(UTF_8)))).get(30, TimeUnit.SECONDS);
        assertThat(hub.actorInline).isTrue();
        assertThat(seen.stream().map(Seen::thread).distinct()).singleElement().asString().startsWith("tok-test-reader");
    }

    @Test
    void framesThatArriveDuringTheConnectHookWaitForItThenTheActorRunsInline() throws Exception {
        CountDownLatch hookMayReturn = new CountDownLatch(1);
        List<Seen> seen = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().nonBlockingActor(true).actorStallThreshold(Duration.ofSeconds(10))
                .actorExecutor(actorPool)
                .connectHook(c -> awaitLatch(hookMayReturn))
                .actor((c, p) -> seen.add(new Seen(new String(p, UTF_8), Thread.currentThread().getName())))
                .build());
        InMemoryConnection c = fx.connect(hub, "u");
        reader.submit(() -> IntStream.range(0, 10).forEach(i -> c.receive(("" + i).getBytes(UTF_8)))).get(30, TimeUnit.SECONDS);
        assertThat(seen).as("nothing before the connect hook returned").isEmpty();
        hookMayReturn.countDown();
        await().until(() -> seen.size() == 10);
        reader.submit(() -> IntStream.range(10, 20).forEach(i -> c.receive(("" + i).getBytes(UTF_8)))).get(30, TimeUnit.SECONDS);
        await().until(() -> seen.size() == 20);
        assertThat(seen.stream().map(Seen::frame).collect(Collectors.toList())).isEqualTo(numbers(0, 20));
        assertThat(seen.get(19).thread()).as("inline once the waiting frames were drained").startsWith("tok-test-reader");
    }

    @Test
    void settingsAndErrors() {
        HubConfig config = HubFixture.config()
                .settings(Map.of("non-blocking-actor", "true", "actor-stall-threshold", "250ms")).build();
        assertThat(config.nonBlockingActor()).isTrue();
        assertThat(config.actorStallThreshold()).isEqualTo(Duration.ofMillis(250));
        assertThat(HubFixture.config().build().nonBlockingActor()).isFalse();
        assertThat(HubFixture.config().build().actorStallThreshold()).isEqualTo(HubConfig.DEFAULT_ACTOR_STALL_THRESHOLD);
        assertThatThrownBy(() -> HubFixture.config().actorStallThreshold(Duration.ZERO).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("actor-stall-threshold");
    }

    private static List<String> numbers(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).collect(Collectors.toList());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
