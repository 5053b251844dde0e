package dev.tok.testkit;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.WriteListener;
import dev.tok.api.spi.TransportContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * A connection without a socket, for testing a hub (or anything else that drives a
 * {@link ConAdapter}) without a transport: a real {@code ConAdapter} whose peer is this object.
 * Register it with {@link #registerWith(TransportContext, Device)} (or call
 * {@link TransportContext#register} yourself and {@link #attach(Connection)} what it returns),
 * then play the peer with {@link #receive(byte[])} and {@link #peerClose()}, and look at what the
 * hub did: the frames written ({@link #received()}, {@link #texts()}), how it closed the
 * connection ({@link #closedWith()}, {@link #abortedWith()}) and how often it paused reading.
 *
 * <p>Three kinds, by factory:
 * <ul>
 *   <li>{@link #completingOn(Executor)}: keeps every frame written and completes each write on
 *       the executor, as a transport's I/O thread does;</li>
 *   <li>{@link #inline()}: the same, but everything completes in the calling thread, as a
 *       transport may when the bytes fit the socket buffer;</li>
 *   <li>{@link #discarding()}: for benchmarks; counts what is written but keeps nothing, and a
 *       successful write returns one shared, already completed stage: a write allocates nothing,
 *       so what a benchmark measures is the caller's own cost.</li>
 * </ul>
 *
 * <p>A write succeeds unless the connection is closed or the failure rule
 * ({@link #failWritesWhere(IntPredicate)}) refuses it; a failed write completes exceptionally
 * with an {@link IOException} and the connection stays open. {@link #close(CloseReason)} and
 * {@link #abort(CloseReason)} report the close to the hub ({@link Connection#onClosed}) once, on
 * the executor, as a transport does; a close before {@link #attach(Connection)} is reported when
 * the connection is attached. {@code abort} is recorded, then closes exactly like {@code close}:
 * completions held by {@link #holdCompletions()} stay held.
 *
 * <p>Threads: every method may be called from any thread. Nulls: no parameter may be null
 * ({@link NullPointerException} naming it); no method returns null.
 *
 * @since 0.1
 */
public final class InMemoryConnection implements ConAdapter {
    private static final CompletableFuture<Void> WRITTEN = CompletableFuture.completedFuture(null);
    private static final SocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
    private static final Executor INLINE = Runnable::run;

    private final Executor io;
    private final boolean recording;
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger closeCalls = new AtomicInteger();
    private final AtomicInteger abortCalls = new AtomicInteger();
    private final AtomicInteger pauses = new AtomicInteger();
    private final AtomicInteger resumes = new AtomicInteger();
    private volatile IntPredicate failWrite = n -> false;
    private volatile ConAdapter sharesWith;
    private volatile boolean closed;
    private volatile Connection connection;

    // guarded by this
    private final List<byte[]> received = new ArrayList<>();
    private List<Runnable> held;
    private CloseReason closedWith;
    private CloseReason abortedWith;
    private CloseReason unreportedClose;

    private InMemoryConnection(Executor io, boolean recording) {
        this.io = io;
        this.recording = recording;
    }

    /**
     * A connection that keeps every frame written and completes writes (and reports its close)
     * on {@code io}, as a transport's I/O thread would.
     *
     * @param io where completions and close reports run; not null
     * @return a new, unattached connection
     */
    public static InMemoryConnection completingOn(Executor io) {
        return new InMemoryConnection(Objects.requireNonNull(io, "io"), true);
    }

    /**
     * A connection that keeps every frame written and completes writes (and reports its close)
     * in the calling thread, as a transport may when the bytes fit its socket buffer or the
     * connection is gone: the caller's callbacks run before {@code write} returns.
     *
     * @return a new, unattached connection
     */
    public static InMemoryConnection inline() {
        return new InMemoryConnection(INLINE, true);
    }

    /**
     * A connection for benchmarks: counts frames and bytes written ({@link #framesWritten()},
     * {@link #bytesWritten()}) but keeps none ({@link #received()} stays empty); a successful
     * write returns one shared completed stage and allocates nothing, and closes are reported in
     * the calling thread. {@link #holdCompletions()} is refused.
     *
     * @return a new, unattached connection
     */
    public static InMemoryConnection discarding() {
        return new InMemoryConnection(INLINE, false);
    }

    /**
     * Registers this connection for {@code device} and attaches what the hub returned.
     *
     * @param context the hub's side of a transport, as handed to {@code Transport.start}; not null
     * @param device who connects; not null
     * @return this connection
     * @throws IllegalStateException if already attached; the hub's own exceptions from
     *         {@code register} pass through
     */
    public InMemoryConnection registerWith(TransportContext context, Device device) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(device, "device");
        return attach(context.register(device, this));
    }

    /**
     * Attaches the hub's side of this connection: what {@link TransportContext#register}
     * returned for it. A close that happened before is reported to it now.
     *
     * @param connection the hub's side; not null
     * @return this connection
     * @throws IllegalStateException if already attached
     */
    public InMemoryConnection attach(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        CloseReason pending;
        synchronized (this) {
            if (this.connection != null) {
                throw new IllegalStateException("already attached to " + this.connection);
            }
            this.connection = connection;
            pending = unreportedClose;
            unreportedClose = null;
        }
        if (pending != null) {
            report(connection, pending);
        }
        return this;
    }

    /**
     * @return the hub's side of this connection
     * @throws IllegalStateException if not attached yet
     */
    public Connection connection() {
        Connection c = connection;
        if (c == null) {
            throw new IllegalStateException("not attached: call attach(...) with what TransportContext.register returned");
        }
        return c;
    }

    /**
     * From now on writes whose 0-based index (counting every write, failed or not) matches
     * {@code rule} fail; the connection stays open.
     *
     * @param rule which writes fail; not null
     * @return this connection
     */
    public InMemoryConnection failWritesWhere(IntPredicate rule) {
        this.failWrite = Objects.requireNonNull(rule, "rule");
        return this;
    }

    /**
     * From now on write completions wait for {@link #releaseHeldInReverse()}: an I/O layer that
     * finishes out of order, or (never released) a peer that stops reading.
     *
     * @return this connection
     * @throws IllegalStateException on a {@link #discarding()} connection
     */
    public synchronized InMemoryConnection holdCompletions() {
        if (!recording) {
            throw new IllegalStateException("a discarding connection completes every write at once");
        }
        if (held == null) {
            held = new ArrayList<>();
        }
        return this;
    }

    /**
     * Completes the writes held since {@link #holdCompletions()}, last one first, in the calling
     * thread; later writes complete as before holding.
     */
    public void releaseHeldInReverse() {
        List<Runnable> toRun;
        synchronized (this) {
            toRun = held == null ? List.of() : held;
            held = null;
        }
        for (int i = toRun.size() - 1; i >= 0; i--) {
            toRun.get(i).run();
        }
    }

    /**
     * From now on {@link #sharesConnectionWith(ConAdapter)} answers true for {@code other}: the
     * two adapters wrap one underlying connection.
     *
     * @param other the adapter sharing this one's connection; not null
     * @return this connection
     */
    public InMemoryConnection shareConnectionWith(ConAdapter other) {
        this.sharesWith = Objects.requireNonNull(other, "other");
        return this;
    }

    /**
     * The peer sends a frame: delivered to the hub in the calling thread.
     *
     * @param frame the frame; not null
     * @throws IllegalStateException if not attached
     */
    public void receive(byte[] frame) {
        Objects.requireNonNull(frame, "frame");
        connection().onFrame(frame);
    }

    /**
     * The peer goes away: the connection closes and the hub hears
     * {@link CloseReason#PEER_CLOSED} in the calling thread.
     *
     * @throws IllegalStateException if not attached
     */
    public void peerClose() {
        Connection c = connection();
        closed = true;
        c.onClosed(CloseReason.PEER_CLOSED);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A {@link #discarding()} connection tells the listener in the calling thread and
     * allocates nothing; the others complete as {@link #write(byte[])} does.
     */
    @Override
    public void write(byte[] frame, WriteListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (recording) {
            ConAdapter.super.write(frame, listener);
            return;
        }
        Objects.requireNonNull(frame, "frame");
        int n = writes.getAndIncrement();
        if (closed || failWrite.test(n)) {
            listener.writeCompleted(new IOException(closed ? "closed" : "write failed"));
            return;
        }
        frames.incrementAndGet();
        bytes.addAndGet(frame.length);
        listener.writeCompleted(null);
    }

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        Objects.requireNonNull(frame, "frame");
        int n = writes.getAndIncrement();
        if (!recording) {
            if (closed || failWrite.test(n)) {
                return CompletableFuture.failedFuture(new IOException(closed ? "closed" : "write failed"));
            }
            frames.incrementAndGet();
            bytes.addAndGet(frame.length);
            return WRITTEN;
        }
        boolean ok;
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            ok = !closed && !failWrite.test(n);
            if (ok) {
                received.add(frame);
                frames.incrementAndGet();
                bytes.addAndGet(frame.length);
            }
            if (held != null) {
                held.add(ok ? () -> f.complete(null) : () -> f.completeExceptionally(new IOException("write failed")));
                return f;
            }
        }
        if (ok) {
            io.execute(() -> f.complete(null));
        } else {
            io.execute(() -> f.completeExceptionally(new IOException(closed ? "closed" : "write failed")));
        }
        return f;
    }

    @Override
    public void close(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        closeCalls.incrementAndGet();
        Connection toTell = null;
        synchronized (this) {
            if (closedWith == null) {
                closedWith = reason;
            }
            if (!closed) {
                closed = true;
                toTell = connection;
                if (toTell == null) {
                    unreportedClose = reason;
                }
            }
        }
        if (toTell != null) {
            report(toTell, reason);
        }
    }

    @Override
    public void abort(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        abortCalls.incrementAndGet();
        synchronized (this) {
            if (abortedWith == null) {
                abortedWith = reason;
            }
        }
        close(reason);
    }

    private void report(Connection c, CloseReason reason) {
        if (io == INLINE) {
            c.onClosed(reason);
        } else {
            io.execute(() -> c.onClosed(reason));
        }
    }

    /** @return {@code in-memory} */
    @Override
    public String transport() {
        return "in-memory";
    }

    /** @return 127.0.0.1 (the loopback address), port 1 */
    @Override
    public SocketAddress remoteAddress() {
        return REMOTE;
    }

    /** @return whether {@code other} was given to {@link #shareConnectionWith(ConAdapter)} */
    @Override
    public boolean sharesConnectionWith(ConAdapter other) {
        return other != null && sharesWith == other;
    }

    /** Counts the call ({@link #pauseCalls()}); there is nothing to stop reading. */
    @Override
    public void pauseReading() {
        pauses.incrementAndGet();
    }

    /** Counts the call ({@link #resumeCalls()}). */
    @Override
    public void resumeReading() {
        resumes.incrementAndGet();
    }

    /** @return whether the connection closed: by the hub, or the peer ({@link #peerClose()}) */
    public boolean isClosed() {
        return closed;
    }

    /** @return the reason of the first {@link #close(CloseReason)} or {@link #abort(CloseReason)}; empty until then */
    public synchronized Optional<CloseReason> closedWith() {
        return Optional.ofNullable(closedWith);
    }

    /** @return the reason of the first {@link #abort(CloseReason)}; empty until then */
    public synchronized Optional<CloseReason> abortedWith() {
        return Optional.ofNullable(abortedWith);
    }

    /** @return how often {@link #close(CloseReason)} was called, including through {@code abort} */
    public int closeCalls() {
        return closeCalls.get();
    }

    /** @return how often {@link #abort(CloseReason)} was called */
    public int abortCalls() {
        return abortCalls.get();
    }

    /** @return how often {@link #pauseReading()} was called */
    public int pauseCalls() {
        return pauses.get();
    }

    /** @return how often {@link #resumeReading()} was called */
    public int resumeCalls() {
        return resumes.get();
    }

    /** @return how many writes succeeded (completed or held), in every kind of connection */
    public long framesWritten() {
        return frames.get();
    }

    /** @return the payload bytes of the writes counted by {@link #framesWritten()} */
    public long bytesWritten() {
        return bytes.get();
    }

    /**
     * @return a copy of the list of frames written successfully, in order (the arrays the
     *         writer passed, not copies); always empty for a {@link #discarding()} connection
     */
    public synchronized List<byte[]> received() {
        return new ArrayList<>(received);
    }

    /** @return {@link #received()} decoded as UTF-8 */
    public synchronized List<String> texts() {
        List<String> out = new ArrayList<>(received.size());
        for (byte[] b : received) {
            out.add(new String(b, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public String toString() {
        Connection c = connection;
        return "InMemoryConnection[" + (c == null ? "unattached" : c) + (closed ? ", closed" : "") + "]";
    }
}
