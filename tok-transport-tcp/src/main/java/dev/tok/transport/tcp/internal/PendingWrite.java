package dev.tok.transport.tcp.internal;

import dev.tok.api.spi.WriteListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * One frame on its way out of a {@link TcpConnection}, in one pooled object: the node of the
 * connection's outbound queue, and the promise Netty completes when the frame was handed to the
 * operating system (so Netty allocates no promise for it). Settling it gives the connection's
 * pending bytes back, returns this object to its pool and then tells the {@link WriteListener}.
 *
 * <p>The pools are bounded lock-free multi-producer multi-consumer array queues (Netty's shaded
 * JCTools {@code MpmcArrayQueue}), one per stripe, the stripe chosen by the writing thread; an
 * object goes back to the pool it came from, on whichever thread settles it. Taking and returning
 * allocate nothing, on any thread (Netty's {@code Recycler} would pool only on Netty's
 * own threads and allocates queue chunks when objects travel between threads). A pool that is
 * empty makes a new object; one that is full lets the returned object go: at most
 * {@value #POOL_CAPACITY} objects per stripe stay.
 *
 * <p>As a promise it serves Netty's write path only: it is settled once (by Netty, or by the
 * connection for a frame that never reached the channel), cannot be cancelled, and refuses
 * listeners and waiting, which nothing in that path uses and which a pooled object could not
 * honour. Everything but {@link #of} and the push onto the queue runs on the connection's event
 * loop, or, for frames that never reach the channel because the event loop is gone, in the one
 * thread that found it gone.
 */
final class PendingWrite implements ChannelPromise {

    /** Settled writes kept per stripe, at most. */
    static final int POOL_CAPACITY = 512;
    /**
     * The pools, a power of two of them: at least twice the processors, at most 64 (each holds
     * its array of {@value #POOL_CAPACITY} from the start, about 6 KiB).
     */
    private static final Queue<PendingWrite>[] POOLS = newPools(Math.min(64, 2 * Runtime.getRuntime().availableProcessors()));

    /** The pool this object goes back to. */
    private final Queue<PendingWrite> home;
    private TcpConnection connection;
    private byte[] frame;
    /** Null once settled (and back in the pool). */
    private WriteListener listener;
    /** The next (older while pushed, newer once taken) queued write. */
    PendingWrite next;

    private PendingWrite(Queue<PendingWrite> home) {
        this.home = home;
    }

    @SuppressWarnings("unchecked")
    private static Queue<PendingWrite>[] newPools(int atLeast) {
        int n = Integer.highestOneBit(Math.max(1, atLeast - 1)) << 1;
        Queue<PendingWrite>[] pools = new Queue[n];
        for (int i = 0; i < n; i++) {
            pools[i] = PlatformDependent.newFixedMpmcQueue(POOL_CAPACITY);
        }
        return pools;
    }

    /** @return a write of {@code frame} on {@code connection}, from the writing thread's pool; any thread */
    static PendingWrite of(TcpConnection connection, byte[] frame, WriteListener listener) {
        Queue<PendingWrite> pool = POOLS[(int) Thread.currentThread().getId() & (POOLS.length - 1)];
        PendingWrite w = pool.poll();
        if (w == null) {
            w = new PendingWrite(pool);
        }
        w.connection = connection;
        w.frame = frame;
        w.listener = listener;
        return w;
    }

    /** Copies the frame into a pooled buffer and hands it to the channel, flushing or not. Event loop. */
    void writeTo(boolean flush) {
        Channel channel = connection.channel();
        ByteBuf b = channel.alloc().ioBuffer(TcpConnection.LENGTH_FIELD + frame.length);
        b.writeInt(frame.length).writeBytes(frame);
        if (flush) {
            channel.writeAndFlush(b, this);
        } else {
            channel.write(b, this);
        }
    }

    /**
     * Settles this write: the connection's pending bytes are given back, this object goes back
     * to the pool, and the listener hears {@code failure} (null: written).
     *
     * @return false if it was settled already
     */
    boolean settle(Throwable failure) {
        WriteListener l = listener;
        if (l == null) {
            return false;
        }
        TcpConnection c = connection;
        int bytes = TcpConnection.LENGTH_FIELD + frame.length;
        listener = null;
        connection = null;
        frame = null;
        next = null;
        home.offer(this); // from here on this object is the pool's (or garbage): only the locals are used
        c.released(bytes);
        l.writeCompleted(failure);
        return true;
    }

    // ---------------------------------------------------------------- ChannelPromise, for Netty

    @Override
    public Channel channel() {
        TcpConnection c = connection;
        return c == null ? null : c.channel();
    }

    @Override
    public boolean trySuccess(Void result) {
        return settle(null);
    }

    @Override
    public boolean trySuccess() {
        return settle(null);
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        TcpConnection c = connection;
        return c != null && settle(c.notWritten(cause));
    }

    @Override
    public ChannelPromise setSuccess(Void result) {
        if (!trySuccess()) {
            throw new IllegalStateException("write promise settled already");
        }
        return this;
    }

    @Override
    public ChannelPromise setSuccess() {
        return setSuccess(null);
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        if (!tryFailure(cause)) {
            throw new IllegalStateException("write promise settled already", cause);
        }
        return this;
    }

    @Override
    public boolean setUncancellable() {
        return true;
    }

    @Override
    public boolean isCancellable() {
        return false;
    }

    /** A write cannot be cancelled: it is in the connection's order already. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public boolean isDone() {
        return listener == null;
    }

    /** @return false: the outcome goes to the write's listener, and a settled write is the pool's */
    @Override
    public boolean isSuccess() {
        return false;
    }

    @Override
    public Throwable cause() {
        return null;
    }

    @Override
    public Void getNow() {
        return null;
    }

    @Override
    public boolean isVoid() {
        return false;
    }

    @Override
    public ChannelPromise unvoid() {
        return this;
    }

    @Override
    public ChannelPromise addListener(GenericFutureListener<? extends Future<? super Void>> l) {
        throw unsupported();
    }

    @Override
    @SafeVarargs
    public final ChannelPromise addListeners(GenericFutureListener<? extends Future<? super Void>>... ls) {
        throw unsupported();
    }

    @Override
    public ChannelPromise removeListener(GenericFutureListener<? extends Future<? super Void>> l) {
        return this;
    }

    @Override
    @SafeVarargs
    public final ChannelPromise removeListeners(GenericFutureListener<? extends Future<? super Void>>... ls) {
        return this;
    }

    @Override
    public ChannelPromise sync() {
        throw unsupported();
    }

    @Override
    public ChannelPromise syncUninterruptibly() {
        throw unsupported();
    }

    @Override
    public ChannelPromise await() {
        throw unsupported();
    }

    @Override
    public ChannelPromise awaitUninterruptibly() {
        throw unsupported();
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) {
        throw unsupported();
    }

    @Override
    public boolean await(long timeoutMillis) {
        throw unsupported();
    }

    @Override
    public boolean awaitUninterruptibly(long timeout, TimeUnit unit) {
        throw unsupported();
    }

    @Override
    public boolean awaitUninterruptibly(long timeoutMillis) {
        throw unsupported();
    }

    @Override
    public Void get() {
        throw unsupported();
    }

    @Override
    public Void get(long timeout, TimeUnit unit) {
        throw unsupported();
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("the promise of a pooled tcp write takes no listeners and cannot be"
                + " awaited: its outcome goes to the write's WriteListener");
    }
}
