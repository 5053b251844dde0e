package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Server pings, BeforeSend on every frame, AfterSend with the original payload. */
class HooksAndPingTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    void pingsAreSentThroughBeforeSendAtTheInterval() {
        CoreHub hub = fx.hub(dev.tok.api.HubConfig.builder().actor((d, p) -> { })
                .pingGenerator(() -> "ping".getBytes(UTF_8)).pingInterval(Duration.ofMillis(50))
                .beforeSend((d, p) -> ("<" + new String(p, UTF_8) + ">").getBytes(UTF_8))
                .build());
        InMemoryConnection c = fx.connect(hub, "u");
        await().until(() -> c.texts().size() >= 3);
        assertThat(c.texts()).allMatch(t -> t.equals("<ping>"));
    }

    @Test
    void firstPingsOfConnectionsThatLoggedInTogetherAreSpreadOverTheInterval() {
        int connections = 200;
        long start = System.nanoTime();
        java.util.Map<String, Long> firstPing = new java.util.concurrent.ConcurrentHashMap<>();
        CoreHub hub = fx.hub(dev.tok.api.HubConfig.builder().actor((d, p) -> { })
                .pingGenerator(() -> "ping".getBytes(UTF_8)).pingInterval(Duration.ofSeconds(2))
                .beforeSend((d, p) -> {
                    firstPing.putIfAbsent(d.uid(), System.nanoTime() - start);
                    return p;
                })
                .build());
        assertThat(CoreHub.sweepPeriodMillis(hub.config)).isEqualTo(250);
        // per connection: how long after its login its first ping is due, in ms
        List<Integer> dueAfterLogin = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++) {
            int before = SendOperation.clockMillis();
            HubConnection c = (HubConnection) fx.connect(hub, "u" + i).connection();
            int after = SendOperation.clockMillis();
            // the first ping is due between half the interval and all of it after login
            assertThat(c.nextPingMillis() - before).as("first ping due after login (ms)").isGreaterThanOrEqualTo(1_000);
            assertThat(c.nextPingMillis() - after).as("first ping due after login (ms)").isLessThanOrEqualTo(2_000);
            dueAfterLogin.add(c.nextPingMillis() - before);
        }
        // all due one interval after login (as before the spreading), they would share one sweep
        // period; spread, 200 uniform draws over the second fill each quarter of it with about 50
        java.util.Map<Integer, Long> perSweepPeriod = dueAfterLogin.stream()
                .collect(java.util.stream.Collectors.groupingBy(t -> t / 250, java.util.stream.Collectors.counting()));
        assertThat(perSweepPeriod.size()).as("sweep periods with first pings due: %s", perSweepPeriod).isGreaterThanOrEqualTo(3);
        assertThat(java.util.Collections.max(perSweepPeriod.values())).as("first pings due in the busiest: %s", perSweepPeriod)
                .isLessThanOrEqualTo(connections / 2);
        // and the sweep sends them, none before its due time
        await().atMost(Duration.ofSeconds(10)).until(() -> firstPing.size() == connections);
        assertThat(firstPing.values()).as("never before half the interval").allSatisfy(t -> assertThat(t)
                .isGreaterThanOrEqualTo(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1_000)));
    }

    @Test
    void noPingBeforeTheIntervalWhileManyLogInConcurrently() throws Exception {
        CoreHub hub = fx.hub(dev.tok.api.HubConfig.builder().actor((d, p) -> { })
                .pingGenerator(() -> "ping".getBytes(UTF_8)).pingInterval(Duration.ofHours(1)).build());
        List<InMemoryConnection> all = new CopyOnWriteArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1_200); // several sweeps
            List<java.util.concurrent.Future<?>> logins = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                logins.add(pool.submit(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        all.add(fx.connect(hub, "t" + thread + "-" + i));
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : logins) {
                f.get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // on the sweep's own (single) thread, after the next sweep: one more sweep saw every connection
        hub.scheduler.schedule(() -> { }, CoreHub.sweepPeriodMillis(hub.config) + 10, java.util.concurrent.TimeUnit.MILLISECONDS)
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(all).hasSizeGreaterThan(100)
                .allSatisfy(c -> assertThat(c.texts()).as("pinged although the interval is an hour").isEmpty());
    }

    @Test
    void aFailedPingEndsThePingsOfThatConnection() {
        CoreHub hub = fx.hub(dev.tok.api.HubConfig.builder().actor((d, p) -> { })
                .pingGenerator(() -> "ping".getBytes(UTF_8)).pingInterval(Duration.ofMillis(20)).build());
        InMemoryConnection c = fx.connect(hub, dev.tok.api.Device.of("u", "d"), n -> n >= 2);
        await().until(() -> c.texts().size() == 2);
        // the third ping failed: no further write is even attempted
        await().pollDelay(Duration.ofMillis(200)).until(() -> true);
        assertThat(hub.scheduler.getQueue()).containsExactly((Runnable) hub.sweepTask);
    }

    @Test
    void afterSendSeesThePayloadAsGivenToSend() {
        List<String> after = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config()
                .beforeSend((d, p) -> "transformed".getBytes(UTF_8))
                .afterSend((d, p) -> after.add(d.uid() + ":" + new String(p, UTF_8)))
                .build());
        InMemoryConnection c = fx.connect(hub, "u");
        hub.send("u", "original".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        assertThat(c.texts()).containsExactly("transformed");
        assertThat(after).containsExactly("u:original");
    }

    @Test
    void aThrowingBeforeSendFailsThatWrite() {
        CoreHub hub = fx.hub(HubFixture.config().queue(new TestQueue())
                .beforeSend((d, p) -> {
                    throw new IllegalStateException("no");
                }).build());
        fx.connect(hub, "u");
        var r = hub.send("u", "x".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        assertThat(r.queued()).isTrue();
        assertThat(r.deliveries().get(0).failure()).get().isInstanceOf(IllegalStateException.class);
    }
}
