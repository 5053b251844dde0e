package dev.tok.benchmarks.jmh;

import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.WriteListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
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
 * The WebSocket transports' write path on its own, as {@link TcpWriteBenchmark} measures
 * {@code tcp}'s: {@link ConAdapter#write} of one real {@code netty-ws} or {@code jetty-ws}
 * connection over loopback, from a thread that is not the connection's I/O thread, while a plain
 * socket that did the upgrade by hand reads and discards everything. Every
 * {@value TcpWriteBenchmark#BATCH}th write waits (spinning) until it completed. With
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is what one frame costs on all threads together.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class WsWriteBenchmark {

    @Param({"netty-ws", "jetty-ws"})
    public String transportName;

    @Param({"100"})
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
        transport = TcpWriteBenchmark.provider(transportName).create(Settings.of("transport '" + transportName + "'", settings));
        CompletableFuture<ConAdapter> registered = new CompletableFuture<>();
        InetSocketAddress address = (InetSocketAddress) transport.start(new TcpWriteBenchmark.Context(registered))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        client = new Socket(address.getAddress(), address.getPort());
        client.setReceiveBufferSize(1 << 20);
        OutputStream out = client.getOutputStream();
        out.write(("GET /ws?token=x HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = client.getInputStream();
        String head = headers(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IllegalStateException("the upgrade was refused: " + head);
        }
        reader = new Thread(() -> {
            byte[] sink = new byte[1 << 16];
            try {
                while (in.read(sink) >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // closed by the tear-down
            }
        }, "ws-write-benchmark-reader");
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
        if (++sinceWait == TcpWriteBenchmark.BATCH) {
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

    /** The hub's path: {@link ConAdapter#write(byte[], WriteListener)}, one listener for every write. */
    @Benchmark
    @Threads(1)
    public void writeWithListenerOffLoop() {
        adapter.write(payload, settled);
        if (++sinceWait == TcpWriteBenchmark.BATCH) {
            sinceWait = 0;
            settled.awaitAll(issued += TcpWriteBenchmark.BATCH);
        }
    }

    /** Counts settled writes; Jetty may complete writes on more than one thread, hence atomic. */
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

    private static String headers(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        char[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the upgrade response ended: " + head);
            }
            head.append((char) b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString();
    }
}
