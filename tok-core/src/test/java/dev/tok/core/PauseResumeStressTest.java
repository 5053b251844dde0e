package dev.tok.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 3: inbound backpressure never leaves a connection paused once the actor has
 * caught up. An "I/O thread" pushes bursts just over the pending bound while the actor pool
 * drains them; after every burst is delivered, each pause must have been matched by a resume.
 * tok-concurrency-tests explores the same race exhaustively with jcstress.
 */
class PauseResumeStressTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    void everyPauseIsResumedOnceTheActorCaughtUp() throws Exception {
        AtomicInteger delivered = new AtomicInteger();
        ExecutorService actorPool = Executors.newFixedThreadPool(2);
        try {
            CoreHub hub = fx.hub(HubFixture.config().maxPendingFrames(2).sso(false).maxConnectionsPerUser(100_000)
                    .actorExecutor(actorPool).actor((d, p) -> delivered.incrementAndGet()).build());
            byte[] frame = {1};
            int sent = 0;
            for (int round = 0; round < 2_000; round++) {
                InMemoryConnection c = fx.connect(hub, Device.of("u", "d" + round));
                for (int i = 0; i < 3 + round % 4; i++) {
                    c.receive(frame);
                    sent++;
                }
                int expected = sent;
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> delivered.get() == expected);
                assertThat(c.pauseCalls()).as("round %d: pauses vs resumes", round).isEqualTo(c.resumeCalls());
                c.peerClose();
            }
        } finally {
            actorPool.shutdown();
        }
    }
}
