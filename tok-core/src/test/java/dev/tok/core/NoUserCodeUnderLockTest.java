package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubObserver;
import dev.tok.api.SendOutcome;
import dev.tok.api.Hub;
import dev.tok.testkit.InMemoryConnection;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Guarantee: no stage completion, hook or other user code runs under a hub lock. Two users
 * whose send callbacks send to each other, over connections that complete writes in the
 * calling thread, while logins churn (so sends also run through the users' chains). If a
 * stage completed while its user's monitor was held, the two users' callbacks would take each
 * other's monitors in opposite order and deadlock the hub's workers; the watchdog fails the
 * test on the first deadlocked thread instead of waiting for the timeout. Every hook and every
 * {@link HubObserver} callback checks that its thread holds no user's monitor.
 */
class NoUserCodeUnderLockTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        if (deadlock() == null) { // a deadlocked hub cannot close; the failure was reported already
            fx.close();
        }
    }

    @Test
    void callbacksThatSendToEachOtherNeverDeadlockTheHub() throws Exception {
        TestQueue queue = new TestQueue();
        CoreHub hub = fx.hub(HubFixture.config().sso(false).maxConnectionsPerUser(1_000).queue(queue)
                .beforeSend((d, p) -> {
                    checkNoHubLockHeld("BeforeSend");
                    return p;
                })
                .afterSend((d, p) -> checkNoHubLockHeld("AfterSend"))
                .observer(new HubObserver() {
                    @Override
                    public void connectionOpened(Device device, String transport) {
                        checkNoHubLockHeld("HubObserver.connectionOpened");
                    }

                    @Override
                    public void connectionClosed(Device device, String transport, CloseReason reason) {
                        checkNoHubLockHeld("HubObserver.connectionClosed");
                    }

                    @Override
                    public void userOnline() {
                        checkNoHubLockHeld("HubObserver.userOnline");
                    }

                    @Override
                    public void userOffline() {
                        checkNoHubLockHeld("HubObserver.userOffline");
                    }

                    @Override
                    public void frameWritten(String transport, int bytes) {
                        checkNoHubLockHeld("HubObserver.frameWritten");
                    }

                    @Override
                    public void sendCompleted(SendOutcome outcome, long durationNanos) {
                        checkNoHubLockHeld("HubObserver.sendCompleted");
                    }

                    @Override
                    public void enqueued() {
                        checkNoHubLockHeld("HubObserver.enqueued");
                    }

                    @Override
                    public void dequeued(int count) {
                        checkNoHubLockHeld("HubObserver.dequeued");
                    }
                })
                .build());
        hub0.set(hub);
        fx.connectInline(hub, Device.of("alice", "base"));
        fx.connectInline(hub, Device.of("bob", "base"));

        AtomicBoolean churning = new AtomicBoolean(true);
        AtomicInteger logins = new AtomicInteger();
        Thread[] churners = new Thread[2];
        for (int t = 0; t < churners.length; t++) {
            String uid = t == 0 ? "alice" : "bob";
            Random random = new Random(42 + t);
            churners[t] = new Thread(() -> {
                while (churning.get()) {
                    InMemoryConnection c = fx.connectInline(hub, Device.of(uid, "churn" + random.nextInt(4)));
                    logins.incrementAndGet();
                    if (random.nextBoolean()) {
                        Thread.onSpinWait();
                    }
                    c.peerClose();
                }
            }, "churn-" + uid);
            churners[t].start();
        }
        await().until(() -> logins.get() > 100);

        int rallies = 4_000;
        int hops = 20;
        AtomicInteger finished = new AtomicInteger();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Thread[] servers = new Thread[2];
        for (int t = 0; t < servers.length; t++) {
            String first = t == 0 ? "alice" : "bob";
            servers[t] = new Thread(() -> {
                for (int r = 0; r < rallies / servers.length; r++) {
                    rally(hub, first, hops, finished, errors);
                }
            }, "serve-" + first);
            servers[t].start();
        }
        try {
            await().atMost(Duration.ofSeconds(60))
                    .failFast("a hub thread is deadlocked", () -> deadlock() != null)
                    .untilAsserted(() -> assertThat(finished.get()).isEqualTo(rallies));
        } finally {
            churning.set(false);
            for (Thread t : churners) {
                t.join(deadlock() == null ? 10_000 : 1);
            }
            for (Thread t : servers) {
                t.join(deadlock() == null ? 10_000 : 1);
            }
        }
        assertThat(errors).isEmpty();
        assertThat(violations).isEmpty();
    }

    private final AtomicReference<CoreHub> hub0 = new AtomicReference<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    /** One ball sent back and forth {@code hops} times, each send from the previous one's callback. */
    private void rally(Hub hub, String to, int hopsLeft, AtomicInteger finished, List<Throwable> errors) {
        hub.send(to, ("ball " + hopsLeft).getBytes(UTF_8), Duration.ofMinutes(1)).whenComplete((result, e) -> {
            checkNoHubLockHeld("a send's dependent action");
            if (e != null) {
                errors.add(e);
            }
            if (hopsLeft == 0) {
                finished.incrementAndGet();
            } else {
                rally(hub, to.equals("alice") ? "bob" : "alice", hopsLeft - 1, finished, errors);
            }
        });
    }

    /** Records a violation if the calling thread holds the monitor of a user slot of the hub. */
    private void checkNoHubLockHeld(String what) {
        CoreHub hub = hub0.get();
        if (hub == null) {
            return;
        }
        for (String uid : List.of("alice", "bob")) {
            UserSlot slot = hub.slotIfPresent(uid);
            if (slot != null && Thread.holdsLock(slot)) {
                violations.add(what + " ran under the monitor of user " + uid + " on " + Thread.currentThread().getName());
            }
        }
    }

    private static String deadlock() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] ids = mx.findDeadlockedThreads();
        if (ids == null) {
            return null;
        }
        return Arrays.stream(mx.getThreadInfo(ids, true, true)).map(ThreadInfo::toString).collect(Collectors.joining());
    }
}
