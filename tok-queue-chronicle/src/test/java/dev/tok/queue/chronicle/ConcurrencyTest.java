package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads enqueue, peek and acknowledge while the sweeper snapshots the index every few
 * hundred records and deletes one-second cycle files as they empty: every message is delivered
 * exactly once and in order per producer, and a crash copy taken at the end has nothing left.
 * The same with device cursors (at-least-once): each device reads after its own cursor.
 */
class ConcurrencyTest {

    @TempDir
    Path dir;
    @TempDir
    Path crashCopy;

    @ParameterizedTest(name = "durability={0}")
    @ValueSource(strings = {"page-cache", "sync"})
    @DisplayName("concurrent producers and consumers with snapshots and cycle deletion running")
    void concurrentUseWithSweeping(String durability) throws Exception {
        int users = 40;
        int producers = 6;
        int perProducer = durability.equals("sync") ? 400 : 1500;
        int consumers = 3;
        Instant expiry = Instant.now().plus(Duration.ofHours(1));
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicInteger producing = new AtomicInteger(producers);
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir, "durability", durability, "roll-cycle", "test-secondly",
                "sweep-interval", "20ms", "snapshot-every", "500")) {
            ExecutorService pool = Executors.newFixedThreadPool(producers + consumers + 1);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                futures.add(pool.submit(() -> {
                    start.await();
                    Random r = new Random(producer);
                    for (int i = 0; i < perProducer; i++) {
                        q.enqueue("user-" + r.nextInt(users), ByteBuffer.allocate(8).putInt(producer).putInt(i).array(), expiry);
                    }
                    producing.decrementAndGet();
                    return null;
                }));
            }
            for (int c = 0; c < consumers; c++) {
                int consumer = c;
                futures.add(pool.submit(() -> {
                    start.await();
                    Map<String, Integer> last = new HashMap<>();
                    for (;;) {
                        boolean wasProducing = producing.get() > 0;
                        int got = 0;
                        for (int u = consumer; u < users; u += consumers) {
                            String uid = "user-" + u;
                            List<QueuedMessage> batch = q.peek(uid, 20);
                            for (QueuedMessage m : batch) {
                                ByteBuffer b = ByteBuffer.wrap(m.payload());
                                int producer = b.getInt();
                                int seq = b.getInt();
                                if (!delivered.add(producer + ":" + seq)) {
                                    problems.add("twice: " + producer + ":" + seq);
                                }
                                Integer prev = last.put(uid + "/" + producer, seq);
                                if (prev != null && prev >= seq) {
                                    problems.add(uid + ": " + producer + ":" + seq + " after " + prev);
                                }
                            }
                            if (!batch.isEmpty()) {
                                q.acknowledge(uid, batch.get(batch.size() - 1).id());
                                got += batch.size();
                            }
                        }
                        if (!wasProducing && got == 0) {
                            return null;
                        }
                    }
                }));
            }
            futures.add(pool.submit(() -> {
                start.await();
                Random r = new Random(7);
                while (producing.get() > 0) {
                    if (q.size("user-" + r.nextInt(users)) < 0) {
                        problems.add("negative size");
                    }
                }
                return null;
            }));
            runAll(pool, start, futures);
            assertThat(problems).isEmpty();
            assertThat(delivered).hasSize(producers * perProducer);
            assertThat(q.waitingBytes()).isZero();
            CycleFiles.copyAsIfKilled(dir, crashCopy);
        }
        try (ChronicleOfflineQueue q = TestQueues.openImpl(crashCopy)) {
            assertThat(q.recoveryReport().messages()).as("nothing comes back after a crash").isZero();
        }
    }

    @ParameterizedTest(name = "durability={0}")
    @ValueSource(strings = {"page-cache", "sync"})
    @DisplayName("at-least-once: producers, and two devices per user reading after their cursors, with snapshots and cycle deletion running")
    void concurrentCursorsWithSweeping(String durability) throws Exception {
        int users = 30;
        int producers = 4;
        int perProducer = durability.equals("sync") ? 300 : 1200;
        String[] devices = {"phone", "laptop"};
        Instant expiry = Instant.now().plus(Duration.ofHours(1));
        Map<String, Set<String>> delivered = new ConcurrentHashMap<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicInteger producing = new AtomicInteger(producers);
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir, "durability", durability, "roll-cycle", "test-secondly",
                "sweep-interval", "20ms", "snapshot-every", "500")) {
            for (int u = 0; u < users; u++) {
                for (String d : devices) {
                    q.cursor(Device.of("user-" + u, d));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(producers + devices.length);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                futures.add(pool.submit(() -> {
                    start.await();
                    Random r = new Random(producer);
                    Map<String, Long> lastId = new HashMap<>();
                    for (int i = 0; i < perProducer; i++) {
                        String uid = "user-" + r.nextInt(users);
                        long id = q.enqueue(uid, ByteBuffer.allocate(8).putInt(producer).putInt(i).array(), expiry);
                        Long prev = lastId.put(uid, id);
                        if (id <= 0 || prev != null && prev >= id) {
                            problems.add(uid + ": id " + id + " after " + prev);
                        }
                    }
                    producing.decrementAndGet();
                    return null;
                }));
            }
            for (String deviceId : devices) {
                Set<String> seen = ConcurrentHashMap.newKeySet();
                delivered.put(deviceId, seen);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (;;) {
                        boolean wasProducing = producing.get() > 0;
                        int got = 0;
                        for (int u = 0; u < users; u++) {
                            Device device = Device.of("user-" + u, deviceId);
                            long cursor = q.cursor(device);
                            List<QueuedMessage> batch = q.read(device.uid(), cursor, 20);
                            for (QueuedMessage m : batch) {
                                ByteBuffer b = ByteBuffer.wrap(m.payload());
                                String key = b.getInt() + ":" + b.getInt();
                                if (m.id() <= cursor || !seen.add(key)) {
                                    problems.add(deviceId + " got " + key + " (id " + m.id() + ") again, cursor " + cursor);
                                }
                            }
                            if (!batch.isEmpty()) {
                                q.acknowledge(device, batch.get(batch.size() - 1).id());
                                got += batch.size();
                            }
                        }
                        if (!wasProducing && got == 0) {
                            return null;
                        }
                    }
                }));
            }
            runAll(pool, start, futures);
            assertThat(problems).isEmpty();
            for (String d : devices) {
                assertThat(delivered.get(d)).as("every message reached the %s of its user, once", d).hasSize(producers * perProducer);
            }
            assertThat(q.waitingBytes()).as("every message was acknowledged by both devices").isZero();
            CycleFiles.copyAsIfKilled(dir, crashCopy);
        }
        try (ChronicleOfflineQueue q = TestQueues.openImpl(crashCopy)) {
            assertThat(q.recoveryReport().messages()).as("nothing comes back after a crash").isZero();
            assertThat(q.recoveryReport().devices()).as("every device's cursor").isEqualTo((long) users * devices.length);
        }
    }

    /** Starts the submitted tasks and waits for each (90 s at most), then stops the pool. */
    private static void runAll(ExecutorService pool, CountDownLatch start, List<Future<?>> futures) throws Exception {
        start.countDown();
        try {
            for (Future<?> f : futures) {
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
