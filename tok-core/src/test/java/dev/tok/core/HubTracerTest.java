package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.ConnectionContext;
import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.HubTracer;
import dev.tok.api.SendOutcome;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a {@link HubTracer} is told, in which order, with which tokens; and that a null token or a failing tracer costs nothing. */
class HubTracerTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    /**
     * Logs every call as a line; tokens are strings like {@code send1}. Like OpenTelemetry, it
     * keeps the receive token "current" in a thread local while the actor runs, and a send started
     * on that thread names it as its parent.
     */
    static class Recorder implements HubTracer {
        final List<String> log = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();
        private final ThreadLocal<Object> current = new ThreadLocal<>();

        /** @return a new token of that kind, logged as started with {@code what} */
        private String started(String kind, String what) {
            String t = kind + next.incrementAndGet();
            log.add(t + " started " + what);
            return t;
        }

        @Override
        public Object receiveStarted(ConnectionContext connection, int bytes) {
            String t = started("receive", connection.transport() + " " + bytes);
            current.set(t);
            return t;
        }

        @Override
        public void receiveFinished(Object receive, Throwable failure) {
            current.remove();
            log.add(receive + " finished " + (failure == null ? "ok" : failure.getMessage()));
        }

        @Override
        public Object sendStarted(String uid, int bytes) {
            return started("send", uid + " " + bytes + " parent " + current.get());
        }

        @Override
        public Object writeStarted(Object parent, String transport) {
            return started("write", parent + " " + transport);
        }

        @Override
        public void writeFinished(Object write, Throwable failure) {
            log.add(write + " finished " + (failure == null ? "ok" : "failed"));
        }

        @Override
        public Object enqueueStarted(Object send) {
            return started("enqueue", String.valueOf(send));
        }

        @Override
        public void enqueueFinished(Object enqueue, long id, Throwable failure) {
            log.add(enqueue + " finished id " + id);
        }

        @Override
        public void sendFinished(Object send, SendOutcome outcome, Throwable failure) {
            log.add(send + " finished " + outcome + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
        }

        @Override
        public Object deliveryStarted(String uid, String transport) {
            return started("delivery", uid + " " + transport);
        }

        @Override
        public void deliveryFinished(Object delivery, int messages, Throwable failure) {
            log.add(delivery + " finished " + messages);
        }
    }

    @Test
    void theActorsSendIsStartedInsideItsReceiveAndItsWritesFinishFirst() {
        Recorder rec = new Recorder();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).actorExecutor(Runnable::run).tracer(rec)
                .actor((connection, payload) -> connection.hub().send("bob", payload, Duration.ZERO)).build());
        InMemoryConnection alice = fx.connectInline(hub, Device.of("alice", "phone"));
        fx.connectInline(hub, Device.of("bob", "phone"));
        fx.connectInline(hub, Device.of("bob", "laptop"));

        alice.receive("hi".getBytes(UTF_8));
        await().until(() -> rec.log.stream().anyMatch(l -> l.matches("send\\d+ finished DELIVERED"))
                && rec.log.stream().anyMatch(l -> l.matches("receive\\d+ finished ok")));
        String receive = token(rec, "receive\\d+ started in-memory 2").get(0);
        String send = token(rec, "send\\d+ started bob 2 parent " + receive).get(0);
        List<String> writes = token(rec, "write\\d+ started " + send + " in-memory");
        assertThat(writes).hasSize(2);
        int sendFinished = rec.log.indexOf(send + " finished DELIVERED");
        assertThat(rec.log.indexOf(send + " started bob 2 parent " + receive)).isLessThan(rec.log.indexOf(receive + " finished ok"));
        for (String w : writes) {
            assertThat(rec.log.indexOf(w + " finished ok")).as(w).isBetween(rec.log.indexOf(w + " started " + send + " in-memory"),
                    sendFinished);
        }
    }

    /** @return the tokens (first words) of the lines matching {@code line}, in log order */
    private static List<String> token(Recorder rec, String line) {
        return rec.log.stream().filter(l -> l.matches(line)).map(l -> l.split(" ", 2)[0]).toList();
    }

    @Test
    void anOfflineSendIsEnqueuedAndTheLoginsDrainWritesIt() {
        queuedThenDeliveredAtLogin(DeliveryMode.AT_MOST_ONCE, "null");
    }

    @Test
    void atLeastOnceAppendsEverySendAndResumesEachConnection() {
        queuedThenDeliveredAtLogin(DeliveryMode.AT_LEAST_ONCE, "in-memory");
    }

    /**
     * A send to an offline user is enqueued; the user's login delivers it: a drain (for the user,
     * no transport) in at-most-once mode, a resume (for the connection) in at-least-once mode.
     */
    private void queuedThenDeliveredAtLogin(DeliveryMode mode, String deliveryTransport) {
        Recorder rec = new Recorder();
        CoreHub hub = fx.hub(HubFixture.config().queue(new TestQueue()).delivery(mode).tracer(rec).build());
        hub.send("carol", "later".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        assertThat(rec.log).containsExactly(
                "send1 started carol 5 parent null",
                "enqueue2 started send1",
                "enqueue2 finished id 1",
                "send1 finished QUEUED");
        rec.log.clear();

        fx.connectInline(hub, Device.of("carol", "phone"));
        await().until(() -> rec.log.contains("delivery3 finished 1"));
        assertThat(rec.log).containsExactly(
                "delivery3 started carol " + deliveryTransport,
                "write4 started delivery3 in-memory",
                "write4 finished ok",
                "delivery3 finished 1");
    }

    @Test
    void aFailedSendIsFinishedWithItsFailure() {
        Recorder rec = new Recorder();
        CoreHub hub = fx.hub(HubFixture.config().tracer(rec).build());
        hub.send("dave", new byte[1], Duration.ZERO);
        assertThat(rec.log).containsExactly("send1 started dave 1 parent null", "send1 finished OFFLINE OfflineException");
    }

    @Test
    void aNullTokenStopsTracingTheSendAndAFailingTracerHarmsNobody() {
        AtomicInteger calls = new AtomicInteger();
        HubTracer declining = new HubTracer() {
            @Override
            public Object sendStarted(String uid, int bytes) {
                calls.incrementAndGet();
                return null;
            }

            @Override
            public Object writeStarted(Object parent, String transport) {
                throw new AssertionError("no write of an untraced send is traced");
            }

            @Override
            public void sendFinished(Object send, SendOutcome outcome, Throwable failure) {
                throw new AssertionError("an untraced send is not finished");
            }
        };
        CoreHub hub = fx.hub(HubFixture.config().tracer(declining).build());
        InMemoryConnection c = fx.connectInline(hub, Device.of("alice", "phone"));
        hub.send("alice", "x".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        assertThat(calls).hasValue(1);
        assertThat(c.framesWritten()).isEqualTo(1);

        Recorder broken = new Recorder() {
            @Override
            public void writeFinished(Object write, Throwable failure) {
                throw new IllegalStateException("broken tracer");
            }

            @Override
            public Object enqueueStarted(Object send) {
                throw new IllegalStateException("broken tracer");
            }
        };
        CoreHub other = fx.hub(HubFixture.config().queue(new TestQueue()).tracer(broken).build());
        InMemoryConnection d = fx.connectInline(other, Device.of("alice", "phone"));
        assertThat(other.send("alice", "x".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join().status())
                .isEqualTo(dev.tok.api.SendResult.Status.DELIVERED);
        assertThat(other.send("bob", "x".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join().status())
                .isEqualTo(dev.tok.api.SendResult.Status.QUEUED);
        assertThat(d.framesWritten()).isEqualTo(1);
        assertThat(token(broken, "send\\d+ finished DELIVERED")).hasSize(1);
        assertThat(token(broken, "send\\d+ finished QUEUED")).hasSize(1);
    }
}
