package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubObserver;
import dev.tok.testkit.InMemoryConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-user inbound rate limit across connections (user-rate-limit-*). */
class UserRateLimitTest {

    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    @DisplayName("a user's frames count across all of the user's connections: the connection whose frame exceeds the "
            + "burst is closed with RATE_LIMITED (close hook and observers), the frame is dropped; other users are unaffected")
    void framesAcrossConnections() {
        AtomicInteger actorFrames = new AtomicInteger();
        List<CloseReason> hooked = new CopyOnWriteArrayList<>();
        List<CloseReason> observed = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).userRateLimitFrames(1, 10)
                .actor((c, p) -> actorFrames.incrementAndGet())
                .closeHook((d, r) -> hooked.add(r))
                .observer(new HubObserver() {
                    @Override
                    public void connectionClosed(Device device, String transport, CloseReason reason) {
                        observed.add(reason);
                    }
                }).build());
        InMemoryConnection phone = fx.connectInline(hub, Device.of("alice", "phone"));
        InMemoryConnection laptop = fx.connectInline(hub, Device.of("alice", "laptop"));
        InMemoryConnection bob = fx.connectInline(hub, Device.of("bob", "phone"));
        for (int i = 0; i < 5; i++) {
            phone.receive(("p" + i).getBytes(UTF_8));
            laptop.receive(("l" + i).getBytes(UTF_8));
        }
        assertThat(phone.abortedWith()).isEmpty();
        laptop.receive("one too many".getBytes(UTF_8));
        assertThat(laptop.abortedWith()).contains(CloseReason.RATE_LIMITED);
        assertThat(phone.abortedWith()).as("the other connection of the user stays").isEmpty();
        for (int i = 0; i < 10; i++) {
            bob.receive(("b" + i).getBytes(UTF_8));
        }
        assertThat(bob.abortedWith()).isEmpty();
        await().until(() -> actorFrames.get() == 20);
        await().until(() -> hooked.contains(CloseReason.RATE_LIMITED));
        assertThat(observed).containsExactly(CloseReason.RATE_LIMITED);
    }

    @Test
    @DisplayName("payload bytes count too: a frame beyond the byte burst closes the connection although the frame burst has room")
    void bytes() {
        CoreHub hub = fx.hub(HubFixture.config().userRateLimitBytes(1, 100).userRateLimitFrames(1, 3).build());
        InMemoryConnection c = fx.connectInline(hub, Device.of("carol", "d"));
        c.receive(new byte[60]);
        c.receive(new byte[40]);
        assertThat(c.abortedWith()).isEmpty();
        c.receive(new byte[1]);
        assertThat(c.abortedWith()).contains(CloseReason.RATE_LIMITED);
    }

    @Test
    @DisplayName("off by default: no limiter at all")
    void offByDefault() {
        assertThat(fx.hub(HubFixture.config().build()).userRates).isNull();
        assertThat(UserRateLimit.of(HubFixture.config().userRateLimitFrames(0, 5).userRateLimitBytes(0, 5).build())).isNull();
    }
}
