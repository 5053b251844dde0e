package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.testkit.InMemoryConnection;
import dev.tok.api.ConnectionContext;
import dev.tok.api.DeliveryFailedException;
import dev.tok.api.Device;
import dev.tok.api.OfflineException;
import dev.tok.api.SendResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code Hub.send(Device, ..)} and {@code Hub.connections(uid)}. */
class DeviceSendTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    @DisplayName("a device send reaches every connection of that device and no other connection of the user")
    void reachesOnlyTheDevice() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false).build());
        InMemoryConnection phone1 = fx.connect(hub, Device.of("alice", "phone"));
        InMemoryConnection laptop = fx.connect(hub, Device.of("alice", "laptop"));
        InMemoryConnection phone2 = fx.connect(hub, new Device("alice", "phone", Map.of("other", "metadata")));
        InMemoryConnection bob = fx.connect(hub, Device.of("bob", "phone"));

        SendResult r = hub.send(Device.of("alice", "phone"), b("for the phone"), Duration.ZERO).toCompletableFuture().join();
        assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
        assertThat(r.deliveries()).hasSize(2);
        assertThat(r.queued()).isFalse();
        assertThat(phone1.texts()).containsExactly("for the phone");
        assertThat(phone2.texts()).containsExactly("for the phone");
        assertThat(laptop.texts()).isEmpty();
        assertThat(bob.texts()).isEmpty();
    }

    @Test
    @DisplayName("a device send is never queued: a positive ttl is rejected, an offline device fails with OfflineException")
    void neverQueued() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).queue(queue).build());
        assertThatThrownBy(() -> hub.send(Device.of("alice", "phone"), b("x"), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl must be zero");
        assertThatThrownBy(() -> hub.send(Device.of("alice", "phone"), b("x"), Duration.ZERO).toCompletableFuture().join())
                .hasCauseInstanceOf(OfflineException.class).hasMessageContaining("phone").hasMessageContaining("alice");
        fx.connect(hub, Device.of("alice", "laptop"));
        assertThatThrownBy(() -> hub.send(Device.of("alice", "phone"), b("x"), Duration.ZERO).toCompletableFuture().join())
                .as("the user is online, the device is not").hasCauseInstanceOf(OfflineException.class);
        assertThat(queue.size("alice")).isZero();
        assertThatThrownBy(() -> hub.send((Device) null, b("x"), Duration.ZERO)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("device");
    }

    @Test
    @DisplayName("a device send whose only write fails completes with DeliveryFailedException")
    void failedWrite() {
        CoreHub hub = fx.hub(HubFixture.config().sso(false).build());
        fx.connect(hub, Device.of("alice", "phone"), n -> true);
        assertThatThrownBy(() -> hub.send(Device.of("alice", "phone"), b("x"), Duration.ZERO).toCompletableFuture().join())
                .hasCauseInstanceOf(DeliveryFailedException.class);
    }

    @Test
    @DisplayName("sends to the user and to one of its devices from one thread arrive in send order, queued messages first")
    void orderWithUserSends() {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).queue(queue).build());
        for (int i = 0; i < 5; i++) {
            hub.send("alice", b("q" + i), Duration.ofMinutes(1));
        }
        InMemoryConnection phone = fx.connect(hub, Device.of("alice", "phone"));
        InMemoryConnection laptop = fx.connect(hub, Device.of("alice", "laptop"));
        List<String> toPhone = new ArrayList<>(List.of("q0", "q1", "q2", "q3", "q4"));
        List<String> toLaptop = new ArrayList<>();
        List<CompletableFuture<SendResult>> all = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            if (i % 3 == 0) {
                all.add(hub.send(Device.of("alice", "phone"), b("d" + i), Duration.ZERO).toCompletableFuture());
                toPhone.add("d" + i);
            } else {
                all.add(hub.send("alice", b("u" + i), Duration.ZERO).toCompletableFuture());
                toPhone.add("u" + i);
                toLaptop.add("u" + i);
            }
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
        await().until(() -> phone.texts().size() >= toPhone.size());
        assertThat(phone.texts()).isEqualTo(toPhone);
        // The laptop logged in while the drain ran: it may or may not have got queued messages; the live ones are in order.
        assertThat(laptop.texts().stream().filter(t -> !t.startsWith("q"))).containsExactlyElementsOf(toLaptop);
    }

    @Test
    @DisplayName("connections(uid) is a snapshot, oldest first, of the user's open connections")
    void connectionsSnapshot() throws Exception {
        CoreHub hub = fx.hub(HubFixture.config().sso(false).build());
        assertThat(hub.connections("alice")).isEmpty();
        InMemoryConnection phone = fx.connect(hub, Device.of("alice", "phone"));
        fx.connect(hub, Device.of("alice", "laptop"));
        fx.connect(hub, Device.of("bob", "phone"));

        List<ConnectionContext> snapshot = hub.connections("alice");
        assertThat(snapshot).extracting(c -> c.device().deviceId()).containsExactly("phone", "laptop");
        assertThat(snapshot).allSatisfy(c -> {
            assertThat(c.transport()).isEqualTo("in-memory");
            assertThat(c.remoteAddress()).isNotNull();
            assertThat(c.isOpen()).isTrue();
        });
        assertThat(snapshot.get(0).connectedAt()).isBeforeOrEqualTo(snapshot.get(1).connectedAt());
        assertThatThrownBy(() -> snapshot.add(snapshot.get(0))).isInstanceOf(UnsupportedOperationException.class);

        phone.peerClose();
        assertThat(snapshot).as("a snapshot does not change").hasSize(2);
        assertThat(snapshot.get(0).isOpen()).isFalse();
        assertThat(hub.connections("alice")).extracting(c -> c.device().deviceId()).containsExactly("laptop");

        // one connection out of several: reply through its context
        hub.connections("alice").get(0).reply(b("just you")).toCompletableFuture().join();
    }
}
