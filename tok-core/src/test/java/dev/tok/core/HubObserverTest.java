package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.HubObserver;
import dev.tok.api.OfflineException;
import dev.tok.api.SendOutcome;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a {@link HubObserver} learns, exactly once per event, and that a failing observer harms nobody. */
class HubObserverTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    /** Counts each event under a key such as {@code closed:in-memory:KICKED}. */
    static final class Recorder implements HubObserver {
        final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
        final List<String> uidsSeen = new java.util.concurrent.CopyOnWriteArrayList<>();

        private void add(String key, long n) {
            counts.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
        }

        long count(String key) {
            AtomicLong n = counts.get(key);
            return n == null ? 0 : n.get();
        }

        @Override
        public void connectionOpened(Device device, String transport) {
            uidsSeen.add(device.uid());
            add("opened:" + transport, 1);
        }

        @Override
        public void connectionClosed(Device device, String transport, CloseReason reason) {
            add("closed:" + transport + ":" + reason, 1);
        }

        @Override
        public void userOnline() {
            add("online", 1);
        }

        @Override
        public void userOffline() {
            add("offline", 1);
        }

        @Override
        public void frameReceived(String transport, int bytes) {
            add("in:" + transport, 1);
            add("in-bytes:" + transport, bytes);
        }

        @Override
        public void frameWritten(String transport, int bytes) {
            add("out:" + transport, 1);
            add("out-bytes:" + transport, bytes);
        }

        @Override
        public void sendCompleted(SendOutcome outcome, long durationNanos) {
            assertThat(durationNanos).isNotNegative();
            add("send:" + outcome, 1);
        }

        @Override
        public void enqueued() {
            add("enqueued", 1);
        }

        @Override
        public void dequeued(int count) {
            add("dequeued", count);
        }
    }

    @Test
    void everyEventIsReportedOnce() {
        Recorder rec = new Recorder();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).queue(new TestQueue()).observer(rec).build());
        InMemoryConnection a1 = fx.connectInline(hub, Device.of("alice", "phone"));
        fx.connectInline(hub, Device.of("alice", "laptop"));
        assertThat(rec.count("opened:in-memory")).isEqualTo(2);
        assertThat(rec.count("online")).isEqualTo(1);

        a1.receive("hello".getBytes(UTF_8));
        assertThat(rec.count("in:in-memory")).isEqualTo(1);
        assertThat(rec.count("in-bytes:in-memory")).isEqualTo(5);

        hub.send("alice", "abc".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        assertThat(rec.count("send:DELIVERED")).isEqualTo(1);
        assertThat(rec.count("out:in-memory")).isEqualTo(2);
        assertThat(rec.count("out-bytes:in-memory")).isEqualTo(6);

        hub.send("bob", "queued".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        assertThat(rec.count("send:QUEUED")).isEqualTo(1);
        assertThat(rec.count("enqueued")).isEqualTo(1);
        assertThatThrownBy(() -> hub.send("carol", new byte[1], Duration.ZERO).toCompletableFuture().join())
                .hasCauseInstanceOf(OfflineException.class);
        assertThat(rec.count("send:OFFLINE")).isEqualTo(1);

        fx.connectInline(hub, Device.of("bob", "phone"));
        await().untilAsserted(() -> assertThat(rec.count("dequeued")).isEqualTo(1));
        assertThat(rec.count("out:in-memory")).isEqualTo(3);
        assertThat(rec.count("online")).isEqualTo(2);

        assertThat(hub.kick("alice")).isEqualTo(2);
        await().untilAsserted(() -> assertThat(rec.count("closed:in-memory:KICKED")).isEqualTo(2));
        assertThat(rec.count("offline")).isEqualTo(1);

        hub.close();
        assertThat(rec.count("closed:in-memory:SERVER_SHUTDOWN")).isEqualTo(1);
        assertThat(rec.count("offline")).isEqualTo(2);
        assertThatThrownBy(() -> hub.send("bob", new byte[1], Duration.ZERO).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(HubClosedException.class);
        assertThat(rec.count("send:HUB_CLOSED")).isEqualTo(1);
        assertThat(rec.count("send:DELIVERED") + rec.count("send:QUEUED") + rec.count("send:OFFLINE")).isEqualTo(3);
    }

    @Test
    void anObserverThatThrowsIsLoggedAndIgnored() {
        HubObserver broken = new HubObserver() {
            @Override
            public void sendCompleted(SendOutcome outcome, long durationNanos) {
                throw new IllegalStateException("broken observer");
            }

            @Override
            public void connectionOpened(Device device, String transport) {
                throw new IllegalStateException("broken observer");
            }

            @Override
            public void frameWritten(String transport, int bytes) {
                throw new IllegalStateException("broken observer");
            }
        };
        Recorder rec = new Recorder();
        CoreHub hub = fx.hub(HubFixture.config().observer(broken).observer(rec).build());
        InMemoryConnection c = fx.connectInline(hub, Device.of("alice", "phone"));
        hub.send("alice", "x".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        hub.send("alice", "y".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        assertThat(c.framesWritten()).isEqualTo(2);
        assertThat(rec.count("opened:in-memory")).isEqualTo(1);
        assertThat(rec.count("online")).isEqualTo(1);
        assertThat(rec.count("send:DELIVERED")).isEqualTo(2);
        assertThat(rec.count("out:in-memory")).isEqualTo(2);
    }
}
