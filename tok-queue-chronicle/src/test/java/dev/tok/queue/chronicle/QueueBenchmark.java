package dev.tok.queue.chronicle;

import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A measurement, not a test: enqueue, drain and recovery figures for the README. Runs only on
 * request and asserts nothing about time:
 *
 * <pre>
 * mvn -B -o -pl tok-queue-chronicle -am verify -Dtok.bench=true -Dtest=QueueBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dtok.bench.messages=1000000]
 * </pre>
 *
 * Figures go to the log and to {@code tok-queue-chronicle/target/chronicle-benchmark.txt}.
 */
@EnabledIfSystemProperty(named = "tok.bench", matches = "true")
class QueueBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(QueueBenchmark.class);

    @TempDir
    Path tmp;

    private final List<String> report = new ArrayList<>();

    private void note(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        report.add(line);
        LOG.info(line);
    }

    /** CPU time of this thread: on a shared machine it says more than the wall clock. */
    private static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void measure() throws Exception {
        int messages = Integer.getInteger("tok.bench.messages", 1_000_000);
        int users = Math.max(1, messages / 10);
        byte[] payload = new byte[100];
        Instant expiry = Instant.now().plus(Duration.ofHours(2));
        note("JVM %s, %d cores; %d messages of %d B over %d users", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), messages, payload.length, users);

        Path dir = tmp.resolve("main");
        long heap0 = heapUsed();
        long t0;
        String rollCycle = System.getProperty("tok.bench.roll-cycle", QueueSettings.DEFAULT_ROLL_CYCLE);
        note("roll cycle %s", rollCycle);
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir, "roll-cycle", rollCycle)) {
            t0 = System.nanoTime();
            long c0 = cpu();
            for (int i = 0; i < messages; i++) {
                q.enqueue("user-" + (i % users), payload, expiry);
            }
            long ns = System.nanoTime() - t0;
            long cpuNs = cpu() - c0;
            note("enqueue, 1 thread, page-cache: %,d msg/s (%.2f s; %,d msg per CPU-second of the thread)", rate(messages, ns),
                    ns / 1e9, rate(messages, cpuNs));
            note("index heap with %,d waiting messages: ~%d MB", messages, (heapUsed() - heap0) >> 20);
            q.snapshotNow();
            long[] snap = q.lastSnapshotMillis();
            note("snapshot of %,d messages: write lock held %d ms (operations wait), file written in %d ms", messages,
                    snap[0], snap[1]);
            t0 = System.nanoTime();
        }
        note("close (writes the index snapshot): %d ms; snapshot file %d MB; cycle files %d MB (apparent)",
                ms(System.nanoTime() - t0), Files.size(dir.resolve(Snapshot.FILE)) >> 20, CycleFiles.bytes(dir) >> 20);

        recover(dir, "reopen from the snapshot");
        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        CycleFiles.copyAsIfKilled(dir, copy);
        Files.delete(copy.resolve(Snapshot.FILE));
        recover(copy, "reopen by full replay (kill -9 before any snapshot)");

        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            t0 = System.nanoTime();
            long c0 = cpu();
            long drained = 0;
            for (int u = 0; u < users; u++) {
                String uid = "user-" + u;
                List<QueuedMessage> batch;
                while (!(batch = q.peek(uid, 64)).isEmpty()) {
                    q.acknowledge(uid, batch.get(batch.size() - 1).id());
                    drained += batch.size();
                }
            }
            long ns = System.nanoTime() - t0;
            long cpuNs = cpu() - c0;
            note("drain (peek 64 + acknowledge), 1 thread: %,d msg/s (%,d messages, %.2f s; %,d msg per CPU-second)",
                    rate(drained, ns), drained, ns / 1e9, rate(drained, cpuNs));
        }

        atLeastOnce(tmp.resolve("alo"), messages, users);
        concurrentEnqueue(tmp.resolve("pc4"), "page-cache", 4, messages / 10);
        int syncMessages = Math.min(20_000, messages / 10);
        concurrentEnqueue(tmp.resolve("sync1"), "sync", 1, syncMessages / 4);
        concurrentEnqueue(tmp.resolve("sync8"), "sync", 8, syncMessages);
        concurrentEnqueue(tmp.resolve("pc1"), "page-cache", 1, messages / 10);

        Path out = Path.of("target", "chronicle-benchmark.txt");
        try {
            Files.write(out, report);
        } catch (IOException e) {
            LOG.warn("could not write {}", out, e);
        }
    }

    /**
     * At-least-once: two devices per user; enqueue everything, then each device reads after its
     * cursor in batches of 64 and acknowledges; then the index of users known only by their devices.
     */
    private void atLeastOnce(Path dir, int messages, int users) throws IOException {
        byte[] payload = new byte[100];
        Instant expiry = Instant.now().plus(Duration.ofHours(2));
        String[] devices = {"phone", "laptop"};
        long heap0 = heapUsed();
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            long t0 = System.nanoTime();
            for (int u = 0; u < users; u++) {
                for (String d : devices) {
                    q.cursor(dev.tok.api.Device.of("user-" + u, d));
                }
            }
            note("at-least-once: registering %,d devices: %d ms", users * devices.length, ms(System.nanoTime() - t0));
            for (int i = 0; i < messages; i++) {
                q.enqueue("user-" + (i % users), payload, expiry);
            }
            t0 = System.nanoTime();
            long c0 = cpu();
            long delivered = 0;
            for (int u = 0; u < users; u++) {
                for (String d : devices) {
                    dev.tok.api.Device device = dev.tok.api.Device.of("user-" + u, d);
                    List<QueuedMessage> batch;
                    while (!(batch = q.read(device.uid(), q.cursor(device), 64)).isEmpty()) {
                        q.acknowledge(device, batch.get(batch.size() - 1).id());
                        delivered += batch.size();
                    }
                }
            }
            long ns = System.nanoTime() - t0;
            long cpuNs = cpu() - c0;
            note("at-least-once delivery (per device: cursor + read 64 + acknowledge), 1 thread: %,d msg/s (%,d messages"
                    + " to 2 devices each, %.2f s; %,d msg per CPU-second)", rate(delivered, ns), delivered, ns / 1e9,
                    rate(delivered, cpuNs));
            note("index heap for %,d users known only by their %,d devices: ~%d MB", users, users * devices.length,
                    (heapUsed() - heap0) >> 20);
        }
        note("snapshot file with %,d device cursors: %d KB", users * devices.length, Files.size(dir.resolve(Snapshot.FILE)) >> 10);
        recover(dir, "at-least-once: reopen from the snapshot");
    }

    private void recover(Path dir, String what) {
        long heap0 = heapUsed();
        long t0 = System.nanoTime();
        long c0 = cpu();
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir)) {
            long ns = System.nanoTime() - t0;
            long cpuNs = cpu() - c0;
            ChronicleOfflineQueue.RecoveryReport r = q.recoveryReport();
            note("%s: %d ms (%d ms CPU of the opening thread) for %,d messages / %,d users (snapshot %d ms, %,d records"
                    + " replayed in %d ms), heap ~%d MB", what, ms(ns), ms(cpuNs), r.messages(), r.users(), r.snapshotMillis(),
                    r.recordsReplayed(), r.replayMillis(), (heapUsed() - heap0) >> 20);
        }
    }

    private void concurrentEnqueue(Path dir, String durability, int threads, int total) throws Exception {
        byte[] payload = new byte[100];
        Instant expiry = Instant.now().plus(Duration.ofHours(2));
        try (Queue q = TestQueues.open(dir, "durability", durability)) {
            q.enqueue("warm-up", payload, expiry);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            int each = total / threads;
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        q.enqueue("user-" + thread + "-" + (i % 1000), payload, expiry);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(10, TimeUnit.MINUTES);
            }
            long ns = System.nanoTime() - t0;
            pool.shutdown();
            note("enqueue, %d thread(s), %s: %,d msg/s (%,d messages, %.2f s)", threads, durability, rate((long) each * threads, ns),
                    (long) each * threads, ns / 1e9);
        }
    }

    private static long rate(long n, long nanos) {
        return n * 1_000_000_000L / Math.max(1, nanos);
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
