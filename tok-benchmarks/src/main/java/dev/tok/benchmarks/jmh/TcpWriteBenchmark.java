package dev.tok.benchmarks.jmh;

import dev.tok.api.CloseReason;
import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import dev.tok.api.spi.TransportProvider;
import dev.tok.api.spi.WriteListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
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
 * The {@code tcp} transport's write path on its own, without a hub: {@link ConAdapter#write} of
 * one real connection over loopback, called from a thread that is not the connection's event loop
 * (as the hub's actor pool and senders call it), while a plain socket reads and discards
 * everything on the other side. The transport comes from {@link ServiceLoader} through the SPI;
 * a minimal {@link TransportContext} accepts any auth frame and hands back the adapter.
 *
 * <p>Every {@value #BATCH}th write waits (spinning, no allocation) until its stage completed, so
 * the unwritten bytes stay far below {@code max-pending-bytes}. With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is what one frame costs on all threads together (the caller, the
 * event loop's flush task, the reader): the transport's own allocation per frame beyond the pooled
 * buffer, which Netty's pooled allocator does not count as heap allocation once warm.
 *
 * <p>To measure writes from Netty's own threads (the event loops, where the hub's senders run
 * when the actor runs inline), run the benchmark threads as Netty threads:
 * {@code -jvmArgsAppend "-Djmh.executor=CUSTOM -Djmh.executor.class=dev.tok.benchmarks.jmh.NettyThreads"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TcpWriteBenchmark {

    /** Writes between two waits for a write's completion. */
    static final int BATCH = 64;

    @Param({"100", "4096"})
    public int payloadBytes;

    Transport transport;
    ConAdapter adapter;
    Socket client;
    Thread reader;
    byte[] payload;
    int sinceWait;
    final Settled settled = new Settled();
    long issued;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        payload = new byte[payloadBytes];
        java.util.Arrays.fill(payload, (byte) 'x');
        Map<String, String> settings = new HashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", "0");
        transport = provider("tcp").create(Settings.of("transport 'tcp'", settings));
        CompletableFuture<ConAdapter> registered = new CompletableFuture<>();
        InetSocketAddress address = (InetSocketAddress) transport.start(new Context(registered)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        client = new Socket(address.getAddress(), address.getPort());
        client.setReceiveBufferSize(1 << 20);
        OutputStream out = client.getOutputStream();
        out.write(new byte[] {0, 0, 0, 1, 'a'}); // the auth frame
        out.flush();
        InputStream in = client.getInputStream();
        reader = new Thread(() -> {
            byte[] sink = new byte[1 << 16];
            try {
                while (in.read(sink) >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // closed by the tear-down
            }
        }, "tcp-write-benchmark-reader");
        reader.setDaemon(true);
        reader.start();
        adapter = registered.get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        transport.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client.close();
        reader.join(5_000);
    }

    /** @return the write's stage */
    @Benchmark
    @Threads(1)
    public CompletionStage<Void> writeOffLoop() {
        CompletionStage<Void> stage = adapter.write(payload);
        if (++sinceWait == BATCH) {
            sinceWait = 0;
            CompletableFuture<Void> f = stage.toCompletableFuture();
            while (!f.isDone()) {
                Thread.onSpinWait();
            }
            if (f.isCompletedExceptionally()) {
                throw new IllegalStateException("a write failed: " + f.handle((v, e) -> e).join());
            }
        }
        return stage;
    }

    /**
     * The hub's path: {@link ConAdapter#write(byte[], WriteListener)} with one listener for every
     * write (the hub's sends are their own listeners), so whatever is allocated is the
     * transport's. Run from Netty threads as well ({@link NettyThreads}).
     */
    @Benchmark
    @Threads(1)
    public void writeWithListenerOffLoop() {
        adapter.write(payload, settled);
        if (++sinceWait == BATCH) {
            sinceWait = 0;
            settled.awaitAll(issued += BATCH);
        }
    }

    /** Counts settled writes: the event loop is the only thread that tells it. */
    static final class Settled implements WriteListener {
        private volatile long count;
        private volatile Throwable failure;

        @Override
        @SuppressWarnings("NonAtomicOperationOnVolatileField") // one writer: the connection's event loop
        public void writeCompleted(Throwable f) {
            if (f != null) {
                failure = f;
            }
            count++;
        }

        /** Spins (no allocation) until {@code n} writes were settled. */
        void awaitAll(long n) {
            while (count < n) {
                Thread.onSpinWait();
            }
            if (failure != null) {
                throw new IllegalStateException("a write failed: " + failure);
            }
        }
    }

    static TransportProvider provider(String name) {
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new ConfigurationException("no TransportProvider named '" + name + "' on the class path");
    }

    /** Accepts any auth frame as device u/d and completes {@code registered} with its adapter. */
    static final class Context implements TransportContext {
        private final HubConfig config = HubConfig.builder().actor((c, p) -> { }).readTimeout(Duration.ofMinutes(10)).build();
        private final CompletableFuture<ConAdapter> registered;

        Context(CompletableFuture<ConAdapter> registered) {
            this.registered = registered;
        }

        @Override
        public HubConfig config() {
            return config;
        }

        @Override
        public CompletionStage<Device> authenticate(dev.tok.api.AuthRequest request) {
            return CompletableFuture.completedFuture(Device.of("u", "d"));
        }

        @Override
        public Connection register(Device device, ConAdapter a) {
            registered.complete(a);
            return new Connection() {
                @Override
                public Device device() {
                    return device;
                }

                @Override
                public void onFrame(byte[] frame) {
                }

                @Override
                public void onActivity() {
                }

                @Override
                public void onClosed(CloseReason reason) {
                }
            };
        }
    }
}
