package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.BeforeSend;
import dev.tok.api.CacheFailedException;
import dev.tok.api.ConfigurationException;
import dev.tok.api.ConnectionContext;
import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.OfflineException;
import dev.tok.api.QueueFullException;
import dev.tok.api.SendResult;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link DeliveryMode#AT_LEAST_ONCE}: ids, cursors per device, redelivery, the in-flight window, client ids. */
class AtLeastOnceTest {
    private static final Duration TTL = Duration.ofMinutes(10);
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    /** Frames a logged message as {@code id:payload}, anything else as is. */
    static final class IdFrames implements BeforeSend {
        @Override
        public byte[] beforeSend(Device device, byte[] payload) {
            return payload;
        }

        @Override
        public byte[] beforeSend(Device device, long id, byte[] payload) {
            return (id + ":" + new String(payload, UTF_8)).getBytes(UTF_8);
        }
    }

    private static HubConfig.Builder config(TestQueue queue) {
        return HubFixture.config().delivery(DeliveryMode.AT_LEAST_ONCE).queue(queue).beforeSend(new IdFrames()).sso(false);
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static SendResult sent(CompletionStage<SendResult> stage) {
        return stage.toCompletableFuture().join();
    }

    private static long idOf(String frame) {
        return Long.parseLong(frame.substring(0, frame.indexOf(':')));
    }

    private static ConnectionContext context(CoreHub hub, Device device) {
        return hub.connections(device.uid()).stream().filter(c -> c.device().equals(device) && c.isOpen())
                .reduce((a, c) -> c).orElseThrow();
    }

    @Test
    @DisplayName("every message gets an increasing id, in the frame (BeforeSend with the id) and in the SendResult")
    void idsInFramesAndResults() {
        CoreHub hub = fx.hub(config(new TestQueue()).build());
        InMemoryConnection phone = fx.connect(hub, Device.of("alice", "phone"));
        await().until(() -> hub.slotIfPresent("alice") != null && phone.connection() != null);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SendResult r = sent(hub.send("alice", b("m" + i), TTL));
            assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
            assertThat(r.queued()).isTrue();
            assertThat(r.deliveries()).hasSize(1);
            ids.add(r.id());
        }
        assertThat(ids).isSorted().doesNotHaveDuplicates().allMatch(id -> id > 0);
        await().until(() -> phone.texts().size() == 5);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expected.add(ids.get(i) + ":m" + i);
        }
        assertThat(phone.texts()).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("a connection that closes without acknowledging gets the rest again on the device's next connection, same ids, before live ones")
    void redeliveryAfterReconnect() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(config(queue).build());
        Device phone = Device.of("alice", "phone");
        InMemoryConnection first = fx.connect(hub, phone);
        List<Long> ids = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ids.add(sent(hub.send("alice", b("m" + i), TTL)).id());
        }
        await().until(() -> first.texts().size() == 4);
        context(hub, phone).acknowledge(ids.get(1)); // m1, m2 received
        await().until(() -> queue.cursor(phone) == ids.get(1));
        first.peerClose();

        InMemoryConnection second = fx.connect(hub, phone);
        SendResult live = sent(hub.send("alice", b("m5"), TTL));
        await().until(() -> second.texts().size() == 3);
        assertThat(second.texts()).containsExactly(ids.get(2) + ":m3", ids.get(3) + ":m4", live.id() + ":m5");
    }

    @Test
    @DisplayName("cursors are per device: a device that acknowledged is not written the messages again, a new device gets every retained one")
    void cursorsPerDevice() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(config(queue).build());
        Device phone = Device.of("alice", "phone");
        Device laptop = Device.of("alice", "laptop");
        InMemoryConnection p1 = fx.connect(hub, phone);
        InMemoryConnection l1 = fx.connect(hub, laptop);
        long a = sent(hub.send("alice", b("a"), TTL)).id();
        long c = sent(hub.send("alice", b("c"), TTL)).id();
        await().until(() -> p1.texts().size() == 2 && l1.texts().size() == 2);
        context(hub, phone).acknowledge(c);
        context(hub, laptop).acknowledge(a);
        await().until(() -> queue.cursor(phone) == c && queue.cursor(laptop) == a);
        assertThat(queue.size("alice")).isEqualTo(1); // a: every known device has it; c: the laptop has not confirmed

        p1.peerClose();
        l1.peerClose();
        InMemoryConnection p2 = fx.connect(hub, phone);
        InMemoryConnection l2 = fx.connect(hub, laptop);
        InMemoryConnection tablet = fx.connect(hub, Device.of("alice", "tablet"));
        await().until(() -> l2.texts().size() == 1 && tablet.texts().size() == 1);
        assertThat(l2.texts()).containsExactly(c + ":c");
        assertThat(tablet.texts()).containsExactly(c + ":c"); // first seen: every message still retained
        assertThat(p2.texts()).isEmpty();
    }

    @Test
    @DisplayName("the in-flight window stops writes to a device that does not acknowledge; acknowledgements let the rest through, in order")
    void inflightWindow() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(config(queue).inflightWindow(3, 1 << 20).build());
        Device phone = Device.of("alice", "phone");
        InMemoryConnection conn = fx.connect(hub, phone);
        List<SendResult> results = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            results.add(sent(hub.send("alice", b("m" + i), TTL)));
        }
        await().until(() -> conn.texts().size() == 3);
        assertThat(results.subList(0, 3)).allMatch(r -> r.status() == SendResult.Status.DELIVERED);
        assertThat(results.subList(3, 10)).allMatch(r -> r.status() == SendResult.Status.QUEUED && r.deliveries().isEmpty());
        assertThat(conn.texts()).hasSize(3);

        context(hub, phone).acknowledge(results.get(1).id()); // two confirmed: two more may go
        await().until(() -> conn.texts().size() == 5);
        context(hub, phone).acknowledge(results.get(9).id()); // beyond what it was given: counts as up to m5
        await().until(() -> conn.texts().size() == 8);
        context(hub, phone).acknowledge(results.get(7).id());
        await().until(() -> conn.texts().size() == 10);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(results.get(i).id() + ":m" + (i + 1));
        }
        assertThat(conn.texts()).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("the window also bounds bytes; a smaller message never overtakes one waiting for room; a single larger message still goes when nothing is in flight")
    void inflightBytes() {
        CoreHub hub = fx.hub(config(new TestQueue()).inflightWindow(100, 10).build());
        Device phone = Device.of("alice", "phone");
        InMemoryConnection conn = fx.connect(hub, phone);
        long first = sent(hub.send("alice", b("01234"), TTL)).id();
        SendResult waiting = sent(hub.send("alice", b("abcdefgh"), TTL)); // 5 + 8 > 10: waits
        SendResult small = sent(hub.send("alice", b("x"), TTL)); // would fit, but must not overtake
        assertThat(waiting.status()).isEqualTo(SendResult.Status.QUEUED);
        assertThat(small.status()).isEqualTo(SendResult.Status.QUEUED);
        await().until(() -> conn.texts().size() == 1);
        context(hub, phone).acknowledge(first);
        await().until(() -> conn.texts().size() == 3);
        assertThat(conn.texts()).containsExactly(first + ":01234", waiting.id() + ":abcdefgh", small.id() + ":x");
        long big = sent(hub.send("alice", b("0123456789abcdef"), TTL)).id(); // larger than the window
        context(hub, phone).acknowledge(small.id());
        await().until(() -> conn.texts().size() == 4);
        assertThat(conn.texts().get(3)).isEqualTo(big + ":0123456789abcdef");
    }

    @Test
    @DisplayName("the acknowledge hook hears each advance of a device's cursor, once stored")
    void acknowledgeHook() {
        TestQueue queue = new TestQueue();
        List<String> heard = new CopyOnWriteArrayList<>();
        CoreHub hub = fx.hub(config(queue).acknowledgeHook((d, upTo) -> heard.add(d.deviceId() + "@" + upTo
                + (queue.cursor(d) == upTo ? "" : " not stored"))).build());
        Device phone = Device.of("alice", "phone");
        InMemoryConnection conn = fx.connect(hub, phone);
        long a = sent(hub.send("alice", b("a"), TTL)).id();
        await().until(() -> conn.texts().size() == 1);
        ConnectionContext ctx = context(hub, phone);
        ctx.acknowledge(a);
        ctx.acknowledge(a); // a repeat: nothing to tell
        ctx.acknowledge(a - 1);
        await().until(() -> heard.size() == 1);
        long b = sent(hub.send("alice", b("b"), TTL)).id();
        await().until(() -> conn.texts().size() == 2);
        ctx.acknowledge(b);
        await().until(() -> heard.size() == 2);
        assertThat(heard).containsExactly("phone@" + a, "phone@" + b);
    }

    @Test
    @DisplayName("a zero ttl fails with OfflineException when nobody is online, else is logged and kept for the zero-ttl retention")
    void zeroTtl() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(config(queue).build());
        assertThatThrownBy(() -> sent(hub.send("alice", b("x"), Duration.ZERO)))
                .hasCauseInstanceOf(OfflineException.class);
        assertThat(queue.size("alice")).isZero();
        InMemoryConnection conn = fx.connect(hub, Device.of("alice", "phone"));
        SendResult r = sent(hub.send("alice", b("y"), Duration.ZERO));
        assertThat(r.id()).isPositive();
        await().until(() -> conn.texts().size() == 1);
        assertThat(queue.size("alice")).isEqualTo(1);
    }

    @Test
    @DisplayName("a full log (the queue's retention bound) fails the send with CacheFailedException; nothing is written")
    void retentionBound() {
        CoreHub hub = fx.hub(config(new TestQueue(2)).build());
        InMemoryConnection conn = fx.connect(hub, Device.of("alice", "phone"));
        sent(hub.send("alice", b("1"), TTL));
        sent(hub.send("alice", b("2"), TTL));
        assertThatThrownBy(() -> sent(hub.send("alice", b("3"), TTL)))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(CacheFailedException.class)
                .rootCause().isInstanceOf(QueueFullException.class);
        await().until(() -> conn.texts().size() == 2);
    }

    @Test
    @DisplayName("replies are not logged (no id); acknowledge is refused in at-most-once mode, and at-least-once needs a queue")
    void modesAndErrors() {
        CoreHub alo = fx.hub(config(new TestQueue()).build());
        InMemoryConnection conn = fx.connect(alo, Device.of("alice", "phone"));
        SendResult reply = sent(context(alo, Device.of("alice", "phone")).reply(b("pong")));
        assertThat(reply.id()).isZero();
        await().until(() -> conn.texts().contains("pong"));

        CoreHub amo = fx.hub(HubFixture.config().queue(new TestQueue()).build());
        fx.connect(amo, Device.of("bob", "phone"));
        assertThatThrownBy(() -> context(amo, Device.of("bob", "phone")).acknowledge(1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("delivery(DeliveryMode.AT_LEAST_ONCE)");
        assertThat(sent(amo.send("bob", b("x"), TTL)).id()).isZero();

        assertThatThrownBy(() -> HubFixture.config().delivery(DeliveryMode.AT_LEAST_ONCE).noQueue().build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("drop noQueue()");
        assertThatThrownBy(() -> fx.hub(HubFixture.config().delivery(DeliveryMode.AT_LEAST_ONCE).build()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("no queue is configured");
    }

    @Test
    @DisplayName("sendOnce: a repeated client id from the same device gets the first send's result and is delivered once; another device's id is its own")
    void clientIds() {
        CoreHub hub = fx.hub(config(new TestQueue()).build());
        InMemoryConnection bob = fx.connect(hub, Device.of("bob", "phone"));
        fx.connect(hub, Device.of("alice", "phone"));
        fx.connect(hub, Device.of("alice", "laptop"));
        ConnectionContext phone = context(hub, Device.of("alice", "phone"));
        ConnectionContext laptop = context(hub, Device.of("alice", "laptop"));
        SendResult first = sent(phone.sendOnce("c1", "bob", b("hi"), TTL));
        SendResult again = sent(phone.sendOnce("c1", "bob", b("hi"), TTL));
        assertThat(again).isSameAs(first);
        SendResult other = sent(laptop.sendOnce("c1", "bob", b("hi from the laptop"), TTL));
        assertThat(other.id()).isGreaterThan(first.id());
        await().until(() -> bob.texts().size() == 2);
        assertThat(bob.texts()).containsExactly(first.id() + ":hi", other.id() + ":hi from the laptop");
    }

    @Test
    @DisplayName("sendOnce: a first send that failed is forgotten, so the repeat tries again")
    void failedClientIdIsForgotten() {
        CoreHub hub = fx.hub(config(new TestQueue()).build());
        fx.connect(hub, Device.of("alice", "phone"));
        ConnectionContext phone = context(hub, Device.of("alice", "phone"));
        CompletableFuture<SendResult> offline = phone.sendOnce("c1", "bob", b("hi"), Duration.ZERO).toCompletableFuture();
        assertThatThrownBy(offline::join).hasCauseInstanceOf(OfflineException.class);
        InMemoryConnection bob = fx.connect(hub, Device.of("bob", "phone"));
        SendResult retried = sent(phone.sendOnce("c1", "bob", b("hi"), Duration.ZERO));
        assertThat(retried.id()).isPositive();
        await().until(() -> bob.texts().size() == 1);
    }

    @Test
    @DisplayName("sendOnce remembers at most max-client-ids-per-device ids: the oldest is forgotten first")
    void clientIdBound() {
        CoreHub hub = fx.hub(config(new TestQueue()).clientIds(Duration.ofMinutes(1), 2).build());
        InMemoryConnection bob = fx.connect(hub, Device.of("bob", "phone"));
        fx.connect(hub, Device.of("alice", "phone"));
        ConnectionContext phone = context(hub, Device.of("alice", "phone"));
        for (String cid : List.of("c1", "c2", "c3", "c1", "c3")) {
            sent(phone.sendOnce(cid, "bob", b(cid), TTL));
        }
        await().until(() -> bob.texts().size() == 4);
        assertThat(bob.texts()).extracting(t -> t.substring(t.indexOf(':') + 1)).containsExactly("c1", "c2", "c3", "c1");
    }

    @Test
    @DisplayName("ids survive redelivery: the frames of a resumed device carry the ids its first connection saw")
    void sameIdsOnRedelivery() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(config(queue).build());
        Device phone = Device.of("alice", "phone");
        InMemoryConnection first = fx.connect(hub, phone);
        for (int i = 0; i < 3; i++) {
            sent(hub.send("alice", b("m" + i), TTL));
        }
        await().until(() -> first.texts().size() == 3);
        first.peerClose();
        InMemoryConnection second = fx.connect(hub, phone);
        await().until(() -> second.texts().size() == 3);
        assertThat(second.texts()).containsExactlyElementsOf(first.texts());
        assertThat(second.texts()).extracting(AtLeastOnceTest::idOf).isSorted();
    }
}
