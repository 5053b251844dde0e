package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Guarantees 1 and 2 under churn: while one thread per user sends numbered messages (ttl &gt; 0),
 * other threads log the user in and out concurrently (single sign-on kicks, peers vanish, some
 * writes fail). Every accepted message must reach some connection, and each connection must see
 * its messages in send order.
 */
class NothingStrandedStressTest {

    @Property(tries = 12)
    void everyAcceptedMessageIsDeliveredInOrder(@ForAll @IntRange(min = 1, max = 4) int users,
                                                @ForAll @IntRange(min = 1, max = 3) int churners,
                                                @ForAll boolean sso,
                                                @ForAll long seed) throws Exception {
        try (HubFixture fx = new HubFixture()) {
            TestQueue queue = new TestQueue();
            CoreHub hub = fx.hub(HubFixture.config().sso(sso).maxConnectionsPerUser(1_000_000).queue(queue).build());
            int perUser = 400;
            List<List<InMemoryConnection>> conns = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                conns.add(new CopyOnWriteArrayList<>());
            }
            ExecutorService pool = Executors.newFixedThreadPool(users + churners);
            AtomicBoolean sending = new AtomicBoolean(true);
            List<CompletableFuture<?>> results = new CopyOnWriteArrayList<>();
            List<java.util.concurrent.Future<?>> jobs = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                String uid = "u" + u;
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < perUser; i++) {
                        results.add(hub.send(uid, (uid + ":" + i).getBytes(UTF_8), Duration.ofMinutes(5)).toCompletableFuture());
                    }
                    return null;
                }));
            }
            for (int c = 0; c < churners; c++) {
                Random random = new Random(seed + c);
                jobs.add(pool.submit(() -> {
                    while (sending.get()) {
                        int u = random.nextInt(users);
                        InMemoryConnection conn = fx.connect(hub, dev.tok.api.Device.of("u" + u, "d" + random.nextInt(3)));
                        if (random.nextInt(4) == 0) {
                            int failFrom = random.nextInt(20);
                            conn.failWritesWhere(n -> n >= failFrom);
                        }
                        conns.get(u).add(conn);
                        Thread.onSpinWait();
                        if (random.nextBoolean()) {
                            conn.peerClose();
                        }
                    }
                    return null;
                }));
            }
            for (int u = 0; u < users; u++) {
                jobs.get(u).get(30, TimeUnit.SECONDS);
            }
            sending.set(false);
            for (java.util.concurrent.Future<?> j : jobs) {
                j.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();
            CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).handle((v, e) -> null).get(30, TimeUnit.SECONDS);
            for (CompletableFuture<?> r : results) {
                assertThat(r).as("every send with a ttl is accepted (delivered or queued)").isCompletedWithValueMatching(x -> true);
            }

            // The next session of every user must receive whatever was not delivered before.
            for (int u = 0; u < users; u++) {
                for (InMemoryConnection c : conns.get(u)) {
                    if (!c.isClosed()) {
                        c.peerClose();
                    }
                }
                InMemoryConnection last = fx.connect(hub, dev.tok.api.Device.of("u" + u, "final"));
                conns.get(u).add(last);
                String uid = "u" + u;
                await().atMost(Duration.ofSeconds(20)).until(() -> queue.size(uid) == 0);
            }
            for (int u = 0; u < users; u++) {
                Set<String> seen = new HashSet<>();
                for (InMemoryConnection c : conns.get(u)) {
                    List<String> texts = c.texts();
                    Set<String> onThisConnection = new HashSet<>();
                    int previous = -1;
                    for (String t : texts) {
                        int n = Integer.parseInt(t.substring(t.indexOf(':') + 1));
                        if (!onThisConnection.add(t)) {
                            // With several connections, CACHE_ON_ANY_FAILURE re-delivers a message that
                            // failed on another device: a documented duplicate, never with sso.
                            assertThat(sso).as("duplicate %s on one connection of u%d", t, u).isFalse();
                            continue;
                        }
                        assertThat(n).as("order on one connection of u%d: %s", u, texts).isGreaterThan(previous);
                        previous = n;
                        seen.add(t);
                    }
                }
                for (int i = 0; i < perUser; i++) {
                    assertThat(seen).as("message %d of u%d", i, u).contains("u" + u + ":" + i);
                }
            }
        }
    }
}
