package dev.tok.queue.chronicle;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The program the crash tests run in a child JVM and kill. It reports on standard output only
 * after an operation returned, so everything it reported was acknowledged by the queue.
 */
public final class QueueChild {

    private QueueChild() {
    }

    /**
     * Usage: {@code enqueue DIR COUNT USERS START} | {@code cursors DIR COUNT USERS} |
     * {@code deliver DIR UID} | {@code open DIR}.
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
        String mode = args[0];
        Path dir = Path.of(args[1]);
        Queue q;
        // extra settings: -Dtok.child.settings=key=value,key=value
        List<String> settings = new java.util.ArrayList<>();
        for (String kv : System.getProperty("tok.child.settings", "").split(",")) {
            if (kv.contains("=")) {
                settings.add(kv.substring(0, kv.indexOf('=')));
                settings.add(kv.substring(kv.indexOf('=') + 1));
            }
        }
        try {
            q = TestQueues.open(dir, settings.toArray(new String[0]));
        } catch (ConfigurationException e) {
            out.println("CONFIG " + e.getMessage());
            System.exit(3);
            return;
        }
        out.println("READY");
        switch (mode) {
            case "open":
                q.close();
                out.println("CLOSED");
                return;
            case "enqueue": {
                int count = Integer.parseInt(args[2]);
                int users = Integer.parseInt(args[3]);
                int start = Integer.parseInt(args[4]);
                Instant expiry = Instant.now().plus(Duration.ofHours(1));
                for (int i = start; i < start + count; i++) {
                    q.enqueue("user-" + (i % users), payload(i), expiry);
                    out.println("ENQ " + i);
                }
                out.println("DONE");
                break;
            }
            case "cursors": {
                cursors(q, out, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                out.println("DONE");
                break;
            }
            case "deliver": {
                // "delivers" two messages, acknowledges only the first, then waits to be killed
                String uid = args[2];
                List<QueuedMessage> got = q.peek(uid, 2);
                q.acknowledge(uid, got.get(0).id());
                out.println("ACKED " + got.get(0).id() + " DELIVERED " + got.get(1).id());
                break;
            }
            default:
                throw new IllegalArgumentException(mode);
        }
        new CountDownLatch(1).await(); // until killed
    }

    /**
     * At-least-once traffic: registers devices {@code a} and {@code b} of every user, then
     * enqueues round-robin; {@code a} acknowledges every third message of its user as it comes,
     * {@code b} every seventh, lagging five messages behind. Prints {@code REG uid}, {@code ENQ i uid id}
     * and {@code CUR uid device id}, each after the call returned.
     */
    private static void cursors(Queue q, PrintStream out, int count, int users) {
        Instant expiry = Instant.now().plus(Duration.ofHours(1));
        List<List<Long>> ids = new java.util.ArrayList<>();
        for (int u = 0; u < users; u++) {
            q.cursor(dev.tok.api.Device.of("user-" + u, "a"));
            q.cursor(dev.tok.api.Device.of("user-" + u, "b"));
            out.println("REG user-" + u);
            ids.add(new java.util.ArrayList<>());
        }
        for (int i = 0; i < count; i++) {
            int u = i % users;
            String uid = "user-" + u;
            long id = q.enqueue(uid, payload(i), expiry);
            out.println("ENQ " + i + " " + uid + " " + id);
            List<Long> mine = ids.get(u);
            mine.add(id);
            if (mine.size() % 3 == 0) {
                q.acknowledge(dev.tok.api.Device.of(uid, "a"), id);
                out.println("CUR " + uid + " a " + id);
            }
            if (mine.size() % 7 == 0) {
                long lagging = mine.get(mine.size() - 6);
                q.acknowledge(dev.tok.api.Device.of(uid, "b"), lagging);
                out.println("CUR " + uid + " b " + lagging);
            }
        }
    }

    static byte[] payload(int i) {
        return ("message-" + i).getBytes(StandardCharsets.UTF_8);
    }

    static int index(byte[] payload) {
        return Integer.parseInt(new String(payload, StandardCharsets.UTF_8).substring("message-".length()));
    }
}
