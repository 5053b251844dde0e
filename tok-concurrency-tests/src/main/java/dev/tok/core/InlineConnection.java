package dev.tok.core;

import dev.tok.api.CloseReason;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link ConAdapter} for jcstress tests: everything happens in the calling thread,
 * so when both actors have returned, everything they set off in the adapter has happened too.
 * A write completes at once: successfully while the connection is open, with an
 * {@link IOException} after it closed. Pauses and resumes of reading are counted.
 */
final class InlineConnection implements ConAdapter {
    private static final CompletableFuture<Void> WRITTEN = CompletableFuture.completedFuture(null);
    private static final SocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 1);

    private volatile boolean closed;
    /** The reason of the first {@link #close(CloseReason)}: the hub closed it. Null until then. */
    volatile CloseReason closedWith;
    /** The hub's side, once registered. */
    volatile Connection connection;
    final AtomicInteger pauses = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();

    /** Registers a new connection for the device. */
    static InlineConnection register(CoreHub hub, dev.tok.api.Device device) {
        InlineConnection c = new InlineConnection();
        c.connection = hub.register(device, c);
        return c;
    }

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        return closed ? CompletableFuture.failedFuture(new IOException("closed")) : WRITTEN;
    }

    @Override
    public synchronized void close(CloseReason reason) {
        if (closedWith == null) {
            closedWith = reason;
        }
        closed = true;
    }

    /** The peer went away: the transport tells the hub, as a real one does. */
    void peerClose() {
        closed = true;
        connection.onClosed(CloseReason.PEER_CLOSED);
    }

    /** @return the hub's side of this connection */
    HubConnection hubConnection() {
        return (HubConnection) connection;
    }

    @Override
    public String transport() {
        return "inline";
    }

    @Override
    public SocketAddress remoteAddress() {
        return ADDRESS;
    }

    @Override
    public void pauseReading() {
        pauses.incrementAndGet();
    }

    @Override
    public void resumeReading() {
        resumes.incrementAndGet();
    }
}
