package dev.tok.benchmarks.jmh;

import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.SendResult;
import dev.tok.api.spi.HubRuntime;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Hub.send} to online users, each with one connection through an {@link InMemoryConnection#discarding()}:
 * the hub's whole send path (slot lookup, fast path, write, outcome, {@link SendResult}) without
 * a network. {@code recipients=1}: every send goes to one user (with two threads they contend on
 * that user's slot); {@code recipients=1000}: round-robin over 1000 users. The payload array is
 * allocated once: the hub must not copy it, so B/op is the hub's own allocation and must not
 * grow with {@code payloadBytes}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class HubSendBenchmark {

    private static final Duration TTL = Duration.ofDays(1);

    @Param({"1", "1000"})
    public int recipients;

    @Param({"100", "4096"})
    public int payloadBytes;

    HubRuntime runtime;
    Hub hub;
    String[] uids;
    InMemoryConnection[] adapters;
    byte[] payload;

    /** Each thread walks the recipients from its own offset. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup
        public void setup() {
            next = (int) (Thread.currentThread().getId() * 7919);
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        runtime = Hubs.create(Hubs.config(true, Hubs.queue("memory", Map.of())));
        hub = runtime.hub();
        uids = new String[recipients];
        adapters = new InMemoryConnection[recipients];
        for (int i = 0; i < recipients; i++) {
            uids[i] = "user-" + i;
            adapters[i] = InMemoryConnection.discarding().registerWith(runtime.transportContext(), Device.of(uids[i], "d"));
        }
        payload = new byte[payloadBytes];
        java.util.Arrays.fill(payload, (byte) 'x');
        for (String uid : uids) {
            awaitFastPath(hub, uid, payload);
        }
    }

    /**
     * Registering a connection schedules a drain of the user's queue on a hub worker; until it
     * finished, sends to that user wait in the user's task chain instead of writing directly.
     * Waits until a send completes before it returns (it took the direct path), so the
     * benchmark measures the steady state, not the login.
     */
    static void awaitFastPath(Hub hub, String uid, byte[] payload) {
        for (int i = 0; i < 10_000; i++) {
            var stage = hub.send(uid, payload, TTL).toCompletableFuture();
            if (stage.isDone()) {
                return;
            }
            stage.join();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("sends to " + uid + " never took the direct path");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hub.close();
    }

    private CompletionStage<SendResult> send(Cursor c) {
        int i = c.next++;
        return hub.send(uids[Math.floorMod(i, recipients)], payload, TTL);
    }

    /** @return the send's stage (complete on return: the adapter completes writes at once) */
    @Benchmark
    @Threads(1)
    public CompletionStage<SendResult> send1Thread(Cursor c) {
        return send(c);
    }

    /** @return the send's stage */
    @Benchmark
    @Threads(2)
    public CompletionStage<SendResult> send2Threads(Cursor c) {
        return send(c);
    }
}
