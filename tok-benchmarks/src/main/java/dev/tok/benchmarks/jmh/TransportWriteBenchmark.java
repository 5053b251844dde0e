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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * A transport's write path on its own, without a hub: {@link ConAdapter#write} of one real
 * connection over loopback, called from a thread that is not the connection's I/O thread (as the
 * hub's actor pool and senders call it), while a plain socket reads and discards everything on the
 * other side. The transport comes from {@link ServiceLoader} through the SPI; a minimal
 * {@link TransportContext} accepts any credentials and hands back the adapter. Subclasses name the
 * transport and open the connection ({@link #handshake}).
 *
 * <p>Every {@value #BATCH}th write waits (spinning, no allocation) until it completed, so the
 * unwritten bytes stay far below {@code max-pending-bytes}. With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is what one frame costs on all threads together (the caller, the
 * I/O thread, the reader).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public abstract class TransportWriteBenchmark {

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

    /** @return the name of the transport to measure */
    abstract String transportName();

    /**
     * Opens the connection on {@code client}, connected to the transport: sends what
     * authenticates it and reads the transport's answer, if any.
     *
     * @param client  the connected socket
     * @param address the transport's address
     * @throws IOException if the socket fails
     */
    abstract void handshake(Socket client, InetSocketAddress address) throws IOException;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        payload = new byte[payloadBytes];
        java.util.Arrays.fill(payload, (byte) 'x');
        Map<String, String> settings = new HashMap<>();
        settings.put("host", "127.0.0.1");
        settings.put("port", "0");
        String name = transportName();
        transport = provider(name).create(Settings.of("transport '" + name + "'", settings));
        CompletableFuture<ConAdapter> registered = new CompletableFuture<>();
        InetSocketAddress address = (InetSocketAddress) transport.start(new Context(registered)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        client = new Socket(address.getAddress(), address.getPort());
        client.setReceiveBufferSize(1 << 20);
        handshake(client, address);
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
        }, name + "-write-benchmark-reader");
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

    /** Counts settled writes; a transport may report them on more than one thread, hence atomic. */
    static final class Settled implements WriteListener {
        private final AtomicLong count = new AtomicLong();
        private volatile Throwable failure;

        @Override
        public void writeCompleted(Throwable f) {
            if (f != null) {
                failure = f;
            }
            count.incrementAndGet();
        }

        /** Spins (no allocation) until {@code n} writes were settled. */
        void awaitAll(long n) {
            while (count.get() < n) {
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

    /** Accepts any credentials as device u/d and completes {@code registered} with its adapter. */
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
