package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.SendResult;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Receivers drop and reconnect while senders send: in at-least-once mode every accepted message
 * reaches its user's device at least once, and the first deliveries of one sender's messages to
 * one user keep send order. With the device's acknowledgements lost on every drop, and writes that
 * sat in a dropped connection's buffers lost with it.
 */
class AtLeastOnceChurnStressTest {
    private static final int USERS = 4;
    private static final int SENDERS = 2;
    private static final int PER_SENDER = 1500;
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    /** One user's device as the peer sees it: every frame any of its connections received, in order. */
    private static final class Receiver {
        final Device device;
        final List<String> frames = new CopyOnWriteArrayList<>();
        volatile InMemoryConnection conn;
        int seen; // frames of conn already recorded (receiver thread only)

        Receiver(String uid) {
            this.device = Device.of(uid, "phone");
        }

        /** Records what the current connection got since the last look; acknowledges some of it. */
        void poll(boolean acknowledge) {
            InMemoryConnection c = conn;
            List<String> texts = c.texts();
            for (int i = seen; i < texts.size(); i++) {
                frames.add(texts.get(i));
            }
            seen = texts.size();
            if (acknowledge && !texts.isEmpty()) {
                String last = texts.get(texts.size() - 1);
                ((HubConnection) c.connection()).context.acknowledge(Long.parseLong(last.substring(0, last.indexOf(':'))));
            }
        }
    }

    @Test
    @DisplayName("receivers dropping every few ms while 2 senders send 3,000 messages: every accepted one arrives, first deliveries in send order")
    void nothingAcceptedIsLost() throws Exception {
        CoreHub hub = fx.hub(HubFixture.config().delivery(DeliveryMode.AT_LEAST_ONCE).queue(new TestQueue())
                .beforeSend(new AtLeastOnceTest.IdFrames()).inflightWindow(16, 1 << 20).build());
        List<Receiver> receivers = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            Receiver r = new Receiver("u" + u);
            r.conn = fx.connect(hub, r.device);
            receivers.add(r);
        }
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread churn = new Thread(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (sending.get()) {
                for (Receiver r : receivers) {
                    r.poll(rnd.nextInt(3) > 0);
                    if (rnd.nextInt(4) == 0) {
                        r.conn.peerClose(); // what it had not recorded yet is lost with it
                        r.seen = 0;
                        r.conn = fx.connect(hub, r.device);
                    }
                }
                try {
                    Thread.sleep(1); // the churn's pace: a receiver drops every few ms
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        churn.start();
        Map<String, List<String>> accepted = new ConcurrentHashMap<>(); // user -> payloads accepted, per sender in order
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            int sender = s;
            Thread t = new Thread(() -> {
                for (int i = 0; i < PER_SENDER; i++) {
                    String uid = "u" + ThreadLocalRandom.current().nextInt(USERS);
                    String payload = "s" + sender + "-" + i;
                    SendResult r = hub.send(uid, payload.getBytes(UTF_8), Duration.ofMinutes(10)).toCompletableFuture().join();
                    assertThat(r.id()).isPositive();
                    accepted.computeIfAbsent(uid, k -> new CopyOnWriteArrayList<>()).add(payload);
                }
            });
            senders.add(t);
            t.start();
        }
        for (Thread t : senders) {
            t.join();
        }
        sending.set(false);
        churn.join();

        // The devices stay connected now and acknowledge all they get, until everything arrived.
        for (Receiver r : receivers) {
            Set<String> want = new LinkedHashSet<>(accepted.getOrDefault(r.device.uid(), List.of()));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                r.poll(true);
                return payloads(r.frames).containsAll(want);
            });
        }
        int total = 0;
        for (Receiver r : receivers) {
            List<String> firsts = new ArrayList<>(new LinkedHashSet<>(payloads(r.frames)));
            Map<String, Integer> last = new HashMap<>();
            for (String p : firsts) {
                String sender = p.substring(0, p.indexOf('-'));
                int seq = Integer.parseInt(p.substring(p.indexOf('-') + 1));
                assertThat(seq).as("first deliveries of %s to %s in send order", sender, r.device.uid())
                        .isGreaterThan(last.getOrDefault(sender, -1));
                last.put(sender, seq);
            }
            total += firsts.size();
        }
        assertThat(total).isEqualTo(SENDERS * PER_SENDER);
    }

    private static List<String> payloads(List<String> frames) {
        List<String> out = new ArrayList<>(frames.size());
        for (String f : frames) {
            out.add(f.substring(f.indexOf(':') + 1));
        }
        return out;
    }
}
