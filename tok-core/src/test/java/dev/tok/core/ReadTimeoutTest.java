package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 11, item 6: the read timeout lives in the hub; transports only report activity. */
class ReadTimeoutTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    void aSilentConnectionIsClosedWithReadTimeout() {
        AtomicReference<CloseReason> hookReason = new AtomicReference<>();
        CoreHub hub = fx.hub(HubFixture.config().readTimeout(Duration.ofMillis(200))
                .closeHook((d, r) -> hookReason.set(r)).build());
        InMemoryConnection silent = fx.connect(hub, "alice");

        await().until(silent::isClosed);
        assertThat(silent.abortedWith()).contains(CloseReason.READ_TIMEOUT);
        await().until(() -> hookReason.get() == CloseReason.READ_TIMEOUT);
        assertThat(hub.isOnline("alice")).isFalse();
    }

    @Test
    void framesAndActivityReportsKeepAConnectionOpen() throws Exception {
        CoreHub hub = fx.hub(HubFixture.config().readTimeout(Duration.ofMillis(200)).build());
        InMemoryConnection chatty = fx.connect(hub, Device.of("alice", "d"));
        InMemoryConnection pongs = fx.connect(hub, Device.of("bob", "d"));
        InMemoryConnection silent = fx.connect(hub, Device.of("carol", "d"));
        long until = System.nanoTime() + Duration.ofMillis(1_000).toNanos();
        while (System.nanoTime() < until) {
            chatty.receive("hi".getBytes(UTF_8));
            pongs.connection().onActivity(); // a WebSocket pong, as a transport reports it
            Thread.sleep(40); // the peers' pace: well inside the 200 ms read timeout
        }
        assertThat(silent.isClosed()).as("the silent one timed out meanwhile").isTrue();
        assertThat(chatty.isClosed()).isFalse();
        assertThat(pongs.isClosed()).isFalse();
    }

    @Test
    void aConnectionWhoseReadingTheHubPausedIsNotSilent() throws Exception {
        CountDownLatch actorBlocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CoreHub hub = fx.hub(HubFixture.config().readTimeout(Duration.ofMillis(200)).maxPendingFrames(2)
                .actor((d, p) -> {
                    actorBlocked.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).build());
        InMemoryConnection c = fx.connect(hub, "alice");
        for (int i = 0; i < 4; i++) {
            c.receive(("f" + i).getBytes(UTF_8));
        }
        assertThat(actorBlocked.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await().until(() -> c.pauseCalls() == 1);

        // paused for five read timeouts: the peer is not silent, the hub stopped reading
        await().pollDelay(Duration.ofMillis(1_000)).until(() -> true);
        assertThat(c.isClosed()).isFalse();

        release.countDown();
        await().until(() -> c.resumeCalls() == 1);
        await().until(c::isClosed); // resumed, then really silent
        assertThat(c.abortedWith()).contains(CloseReason.READ_TIMEOUT);
    }
}
