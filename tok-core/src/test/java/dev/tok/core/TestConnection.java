package dev.tok.core;

import dev.tok.api.CloseReason;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * An in-memory connection for hub tests: a real {@link ConAdapter} whose "socket" is a list.
 * A write is accepted (and recorded) unless the connection is closed or the failure rule says
 * no; completion happens on the given executor, as a transport's I/O thread would complete it.
 * Closing tells the hub through {@link Connection#onClosed(CloseReason)}, as a transport does.
 */
final class TestConnection implements ConAdapter {
    private final Executor io;
    private final List<byte[]> received = new ArrayList<>();
    private final AtomicInteger writes = new AtomicInteger();
    private volatile IntPredicate failWrite = n -> false;
    private volatile boolean closed;
    final CompletableFuture<Connection> connection = new CompletableFuture<>();
    final AtomicInteger closeCalls = new AtomicInteger();
    final AtomicInteger pauses = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();
    volatile ConAdapter sharesWith;
    private List<Runnable> held;

    /** From now on completions wait for {@link #releaseHeldInReverse()}: an I/O layer finishing out of order. */
    synchronized TestConnection holdCompletions() {
        held = new ArrayList<>();
        return this;
    }

    void releaseHeldInReverse() {
        List<Runnable> toRun;
        synchronized (this) {
            toRun = held;
            held = null;
        }
        for (int i = toRun.size() - 1; i >= 0; i--) {
            toRun.get(i).run();
        }
    }

    TestConnection(Executor io) {
        this.io = io;
    }

    /** Writes whose 0-based index matches fail (the connection stays open). */
    TestConnection failWritesWhere(IntPredicate rule) {
        this.failWrite = rule;
        return this;
    }

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        int n = writes.getAndIncrement();
        CompletableFuture<Void> f = new CompletableFuture<>();
        boolean ok;
        synchronized (this) {
            ok = !closed && !failWrite.test(n);
            if (ok) {
                received.add(frame);
            }
        }
        synchronized (this) {
            if (held != null) {
                held.add(ok ? () -> f.complete(null) : () -> f.completeExceptionally(new java.io.IOException("write failed")));
                return f;
            }
        }
        if (ok) {
            io.execute(() -> f.complete(null));
        } else {
            io.execute(() -> f.completeExceptionally(new java.io.IOException(closed ? "closed" : "write failed")));
        }
        return f;
    }

    /** The reason of the first {@link #close(CloseReason)}; null until then. */
    volatile CloseReason closedWith;

    @Override
    public void close(CloseReason reason) {
        closeCalls.incrementAndGet();
        if (closedWith == null) {
            closedWith = reason;
        }
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
        }
        if (first) {
            connection.thenAcceptAsync(c -> c.onClosed(reason), io);
        }
    }

    /** Calls of {@link #abort(CloseReason)}; the first one's reason in {@link #abortedWith}. */
    final AtomicInteger abortCalls = new AtomicInteger();
    volatile CloseReason abortedWith;

    /** Like a transport's abort: fails what waits (completions held are failed), then closes. */
    @Override
    public void abort(CloseReason reason) {
        abortCalls.incrementAndGet();
        if (abortedWith == null) {
            abortedWith = reason;
        }
        close(reason);
    }

    /** The peer went away. */
    void peerClose() {
        synchronized (this) {
            closed = true;
        }
        connection.join().onClosed(CloseReason.PEER_CLOSED);
    }

    /** The peer sent a frame. */
    void receive(byte[] frame) {
        connection.join().onFrame(frame);
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String transport() {
        return "test";
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public boolean sharesConnectionWith(ConAdapter other) {
        return sharesWith == other;
    }

    @Override
    public void pauseReading() {
        pauses.incrementAndGet();
    }

    @Override
    public void resumeReading() {
        resumes.incrementAndGet();
    }

    synchronized List<byte[]> received() {
        return new ArrayList<>(received);
    }

    synchronized List<String> texts() {
        List<String> out = new ArrayList<>();
        for (byte[] b : received) {
            out.add(new String(b, StandardCharsets.UTF_8));
        }
        return out;
    }
}
