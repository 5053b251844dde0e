package dev.tok.benchmarks.jmh;

import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A transport-less connection for the benchmarks: {@link #write} counts the frame and returns an
 * already completed stage (shared, so the adapter itself allocates nothing: what a benchmark
 * measures is the hub's own cost); {@link #close} reports the close to the hub at once, as a
 * transport does when its socket closed.
 */
public final class InMemoryAdapter implements ConAdapter {
    private static final CompletableFuture<Void> WRITTEN = CompletableFuture.completedFuture(null);
    private static final SocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);

    private volatile Connection connection;
    private volatile boolean closed;
    /** Frames written; not atomic (benchmarks may write from two threads), exact with one writer. */
    public long frames;
    /** Payload bytes written; same caveat. */
    public long bytes;

    /** @param connection what {@code TransportContext.register} returned for this adapter */
    public void connection(Connection connection) {
        this.connection = connection;
        if (closed) {
            connection.onClosed(dev.tok.api.CloseReason.PEER_CLOSED);
        }
    }

    /** @return true once closed by the hub */
    public boolean closed() {
        return closed;
    }

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        frames++;
        bytes += frame.length;
        return WRITTEN;
    }

    @Override
    public void close(dev.tok.api.CloseReason reason) {
        if (!closed) {
            closed = true;
            Connection c = connection;
            if (c != null) {
                c.onClosed(reason);
            }
        }
    }

    @Override
    public String transport() {
        return "memory";
    }

    @Override
    public SocketAddress remoteAddress() {
        return REMOTE;
    }
}
