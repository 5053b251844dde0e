package dev.tok.benchmarks.jmh;

import dev.tok.api.ConnectionContext;
import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.SendResult;
import dev.tok.api.spi.HubRuntime;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.Map;
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
 * One {@code Hub.send} to one online user through the memory queue, completed (joined), in each
 * {@link DeliveryMode}: at-most-once writes directly; at-least-once appends to the user's log on a
 * hub worker, writes with the message id, and the device acknowledges every
 * {@value #ACK_EVERY}th message (as a client acknowledging in batches would), which also keeps
 * the in-flight window open. {@code -prof gc} gives the bytes allocated per send on every thread
 * (the worker's included), the figure the at-least-once issue asks for in both modes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DeliveryModeBenchmark {

    static final int ACK_EVERY = 32;
    private static final Duration TTL = Duration.ofDays(1);

    @Param({"AT_MOST_ONCE", "AT_LEAST_ONCE"})
    public DeliveryMode delivery;

    @Param({"100"})
    public int payloadBytes;

    HubRuntime runtime;
    Hub hub;
    ConnectionContext device;
    byte[] payload;
    int sends;

    @Setup(Level.Trial)
    public void setup() {
        HubConfig config = Hubs.config(true, Hubs.queue("memory", Map.of())).toBuilder().delivery(delivery).build();
        runtime = Hubs.create(config);
        hub = runtime.hub();
        InMemoryConnection.discarding().registerWith(runtime.transportContext(), Device.of("alice", "d"));
        device = hub.connections("alice").get(0);
        payload = new byte[payloadBytes];
        java.util.Arrays.fill(payload, (byte) 'x');
        for (int i = 0; i < 1_000; i++) {
            send(); // past the login's drain or resume
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hub.close();
    }

    private SendResult send() {
        SendResult r = hub.send("alice", payload, TTL).toCompletableFuture().join();
        if (r.id() != 0 && ++sends % ACK_EVERY == 0) {
            device.acknowledge(r.id());
        }
        return r;
    }

    /** @return the send's result, joined */
    @Benchmark
    @Threads(1)
    public SendResult send1Thread() {
        return send();
    }
}
