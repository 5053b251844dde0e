package dev.tok.benchmarks.jmh;

import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.HubRuntime;
import dev.tok.testkit.InMemoryConnection;
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
 * Single sign-on login churn: every operation registers a new connection for one of
 * {@code users} users, which closes (kicks) that user's previous connection; the kicked
 * adapter reports its close back to the hub at once. Measures register + kick + unregister +
 * the (empty) queue drain each login schedules on a hub worker.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LoginChurnBenchmark {

    @Param({"1", "1000"})
    public int users;

    HubRuntime runtime;
    Hub hub;
    Device[] devices;

    /** Each thread walks the users from its own offset. */
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
        devices = new Device[users];
        for (int i = 0; i < users; i++) {
            devices[i] = Device.of("user-" + i, "d");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hub.close();
    }

    private Connection login(Cursor c) {
        return InMemoryConnection.discarding()
                .registerWith(runtime.transportContext(), devices[Math.floorMod(c.next++, users)])
                .connection();
    }

    /** @return the new connection */
    @Benchmark
    @Threads(1)
    public Connection login1Thread(Cursor c) {
        return login(c);
    }

    /** @return the new connection */
    @Benchmark
    @Threads(2)
    public Connection login2Threads(Cursor c) {
        return login(c);
    }
}
