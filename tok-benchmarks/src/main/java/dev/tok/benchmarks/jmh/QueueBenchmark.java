package dev.tok.benchmarks.jmh;

import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A queue's enqueue and drain, the way the hub uses it: {@value #BATCH} messages are enqueued
 * for a user, then peeked in one batch and acknowledged (one operation = one message through
 * the queue). Chronicle runs with its default durability in a temporary directory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true", "-Dchronicle.announcer.disable=true"})
public class QueueBenchmark {

    static final int BATCH = 64;

    @Param({"memory", "chronicle"})
    public String queue;

    @Param({"100", "4096"})
    public int payloadBytes;

    Queue q;
    Path dir;
    byte[] payload;
    Instant expiresAt;
    int user;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Map<String, String> settings = Map.of();
        if (queue.equals("chronicle")) {
            dir = Files.createTempDirectory("tok-jmh-chronicle");
            settings = Map.of("directory", dir.toString());
        }
        q = Hubs.queue(queue, settings);
        payload = new byte[payloadBytes];
        java.util.Arrays.fill(payload, (byte) 'x');
        expiresAt = Instant.now().plusSeconds(86_400);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        q.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** @return messages drained */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int enqueueAndDrain() {
        String uid = "user-" + (user++ & 1023);
        for (int i = 0; i < BATCH; i++) {
            q.enqueue(uid, payload, expiresAt);
        }
        List<QueuedMessage> batch = q.peek(uid, BATCH);
        q.acknowledge(uid, batch.get(batch.size() - 1).id());
        return batch.size();
    }
}
