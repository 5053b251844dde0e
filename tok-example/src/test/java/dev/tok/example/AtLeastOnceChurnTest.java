package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the at-least-once issue measured as lost with at-most-once delivery, over real sockets:
 * receivers drop their connections abruptly every ~50 ms (whatever sat in socket buffers is lost)
 * while two senders send 1,500 messages with ttl 600. Every send the server acknowledged
 * ({@code ack} for its cid) arrives at least once, and the first deliveries of one sender's
 * messages keep send order.
 */
class AtLeastOnceChurnTest {
    private static final int RECEIVERS = 3;
    private static final int SENDERS = 2;
    private static final int PER_SENDER = 750;

    /** One receiving device: every msg any of its connections read, in order. */
    private static final class Receiver {
        final String uid;
        final List<JsonNode> msgs = new CopyOnWriteArrayList<>();
        long lastId;

        Receiver(String uid) {
            this.uid = uid;
        }

        /** Reads what arrives for a while, acknowledging as a client would; returns at the deadline. */
        void read(ChatClient c, long millis, boolean acknowledge) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (true) {
                long left = deadline - System.nanoTime();
                String f = left <= 0 ? null : c.poll(left);
                if (f == null) {
                    return;
                }
                JsonNode n = ChatClient.parse(f);
                if (n.path("type").asText().equals("msg")) {
                    msgs.add(n);
                    lastId = Math.max(lastId, n.path("id").asLong());
                    if (acknowledge) {
                        c.send("{\"type\":\"received\",\"id\":" + lastId + "}");
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("receivers dropping abruptly every ~50 ms while 2 senders send 1,500 messages: every acknowledged send arrives, first deliveries in send order")
    void everyAcknowledgedSendArrives() throws Exception {
        try (ChatServer server = Servers.start(Map.of(), "--delivery", "at-least-once")) {
            List<Receiver> receivers = new ArrayList<>();
            for (int r = 0; r < RECEIVERS; r++) {
                receivers.add(new Receiver(Servers.user("churn")));
            }
            AtomicBoolean sending = new AtomicBoolean(true);
            List<Thread> churn = new ArrayList<>();
            for (Receiver r : receivers) {
                Thread t = new Thread(() -> {
                    try {
                        while (sending.get()) {
                            ChatClient c = Servers.connect(server, "tcp", r.uid);
                            r.read(c, 20 + ThreadLocalRandom.current().nextInt(60), ThreadLocalRandom.current().nextBoolean());
                            c.close(); // abrupt: what the socket still held is gone
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "receiver-" + r.uid);
                churn.add(t);
                t.start();
            }
            Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                Thread t = new Thread(() -> {
                    String uid = Servers.user("sender");
                    Map<String, String[]> byCid = new HashMap<>();
                    try (ChatClient c = Servers.connect(server, "tcp", uid)) {
                        for (int i = 0; i < PER_SENDER; i++) {
                            Receiver to = receivers.get(ThreadLocalRandom.current().nextInt(RECEIVERS));
                            String body = "s" + sender + "-" + i;
                            byCid.put("c" + i, new String[] {to.uid, body});
                            c.send("{\"type\":\"send\",\"to\":\"" + to.uid + "\",\"body\":\"" + body + "\",\"cid\":\"c" + i
                                    + "\",\"ttl\":600}");
                        }
                        int answers = 0;
                        while (answers < PER_SENDER) {
                            JsonNode n = c.nextJson();
                            if (n.path("type").asText().equals("ack")) {
                                String[] sent = byCid.get(n.path("cid").asText());
                                acknowledged.computeIfAbsent(sent[0], k -> new CopyOnWriteArrayList<>()).add(sent[1]);
                                answers++;
                            } else if (n.path("type").asText().equals("error")) {
                                answers++;
                            }
                        }
                    }
                }, "sender-" + s);
                senders.add(t);
                t.start();
            }
            for (Thread t : senders) {
                t.join();
            }
            sending.set(false);
            for (Thread t : churn) {
                t.join();
            }
            int total = 0;
            for (Receiver r : receivers) {
                Set<String> want = new LinkedHashSet<>(acknowledged.getOrDefault(r.uid, List.of()));
                total += want.size();
                try (ChatClient c = Servers.connect(server, "tcp", r.uid)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (!bodies(r.msgs).containsAll(want) && System.nanoTime() < deadline) {
                        r.read(c, 200, true);
                    }
                }
                List<String> firsts = new ArrayList<>(new LinkedHashSet<>(bodies(r.msgs)));
                assertThat(firsts).as("%s got every message the server acknowledged", r.uid).containsAll(want);
                Map<String, Integer> last = new HashMap<>();
                for (String b : firsts) {
                    String sender = b.substring(0, b.indexOf('-'));
                    int seq = Integer.parseInt(b.substring(b.indexOf('-') + 1));
                    assertThat(seq).as("first deliveries of %s to %s in send order", sender, r.uid)
                            .isGreaterThan(last.getOrDefault(sender, -1));
                    last.put(sender, seq);
                }
            }
            assertThat(total).as("the server acknowledged every send").isEqualTo(SENDERS * PER_SENDER);
        }
    }

    private static List<String> bodies(List<JsonNode> msgs) {
        List<String> out = new ArrayList<>(msgs.size());
        for (JsonNode m : msgs) {
            out.add(m.path("body").asText());
        }
        return out;
    }
}
