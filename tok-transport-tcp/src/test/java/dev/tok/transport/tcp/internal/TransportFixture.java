package dev.tok.transport.tcp.internal;

import dev.tok.api.spi.Settings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts a {@code tcp} transport on 127.0.0.1 with an ephemeral port against a {@link RecordingContext}. */
final class TransportFixture implements AutoCloseable {

    static {
        // conditions are checked often: the machine is shared and timeouts in these tests are short
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
    }

    final RecordingContext context;
    final TcpServerTransport transport;
    final InetSocketAddress address;

    private TransportFixture(RecordingContext context, TcpServerTransport transport, InetSocketAddress address) {
        this.context = context;
        this.transport = transport;
        this.address = address;
    }

    static TransportFixture start(RecordingContext context, Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("host", "127.0.0.1", "port", "0"));
        all.putAll(settings);
        TcpServerTransport t = (TcpServerTransport) new TcpTransportProvider().create(Settings.of("transport 'tcp'", all));
        InetSocketAddress a = (InetSocketAddress) t.start(context).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new TransportFixture(context, t, a);
    }

    static TransportFixture start(Map<String, String> settings) throws Exception {
        return start(RecordingContext.withoutReadTimeout(), settings);
    }

    /** Stops the transport; fails if that takes longer than {@code bound}. */
    Duration stop(Duration bound) throws Exception {
        long start = System.nanoTime();
        transport.stop().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public void close() throws Exception {
        try {
            stop(Duration.ofSeconds(15));
        } finally {
            context.close();
        }
    }
}
