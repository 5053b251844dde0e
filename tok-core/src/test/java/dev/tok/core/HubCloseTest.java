package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.testkit.InMemoryConnection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Guarantee 9: Hub.close(). */
class HubCloseTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    void closeClosesEveryConnectionOnceReleasesTheQueueAndRefusesWork() {
        AtomicInteger hooks = new AtomicInteger();
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).queue(queue).closeHook((d, r) -> hooks.incrementAndGet())
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("x", "y"))).build());
        InMemoryConnection a = fx.connect(hub, "alice");
        InMemoryConnection b = fx.connect(hub, "alice");
        InMemoryConnection c = fx.connect(hub, "bob");

        hub.close();
        hub.close();

        assertThat(a.closeCalls()).isEqualTo(1);
        assertThat(b.closeCalls()).isEqualTo(1);
        assertThat(c.closeCalls()).isEqualTo(1);
        assertThat(hooks.get()).isEqualTo(3);
        assertThat(queue.closed.get()).isTrue();
        assertThat(hub.online()).isEmpty();
        assertThatThrownBy(() -> hub.send("alice", "x".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join())
                .hasCauseInstanceOf(HubClosedException.class);
        assertThatThrownBy(() -> fx.connect(hub, "carol")).isInstanceOf(HubClosedException.class);
        assertThatThrownBy(() -> hub.authenticate(AuthRequest.builder("test", new InetSocketAddress(0)).build())
                .toCompletableFuture().join()).hasCauseInstanceOf(HubClosedException.class);
    }
}
