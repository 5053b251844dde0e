package dev.tok.transport.tcp.internal;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionLimitException;
import dev.tok.api.HubClosedException;
import dev.tok.api.Device;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.WriteListener;
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.InboundRate;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.WriteStage;
import dev.tok.transport.support.netty.SlowConsumerGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: the only handler of its pipeline (after TLS, if any), which splits the
 * inbound bytes into Go tok frames, and the {@link ConAdapter} the hub writes through.
 *
 * <p>Framing: a 4-byte unsigned big-endian length, then that many payload bytes; each payload
 * becomes a {@code byte[]} (zero-length payloads too). The length is checked as soon as its four
 * bytes arrived: a length above {@code max-frame-length} closes the connection with
 * {@code FRAME_TOO_LARGE} and discards everything after it, so nothing is allocated or buffered
 * for an oversized frame. An incomplete frame is kept (at most one, of at most the maximum
 * length); an idle connection holds no buffer.
 *
 * <p>Lifecycle, all on the channel's event loop: the first frame is the auth payload; reading
 * pauses while the authenticator runs (frames that already arrived wait in order); on success
 * the connection registers with the hub, the waiting frames go to it and reading resumes. Timers:
 * the auth timeout from connect to registration and the slow-consumer timer while the channel is
 * above its high-water mark ({@link SlowConsumerGuard}, shared with {@code netty-ws}). The read
 * timeout is the hub's: every frame read reaches it through {@link Connection#onFrame}.
 *
 * <p>{@link #write}, {@link #close}, {@link #pauseReading} and {@link #resumeReading} may be
 * called from any thread. A write from another thread is pushed onto the connection's lock-free
 * outbound stack (the {@link PendingWrite} is its own node), and the write that finds the stack
 * empty schedules one flush task on the event loop, which takes every queued frame in call order,
 * writes them and flushes once (at most {@link #FLUSH_BATCH} frames per task, so a busy connection
 * leaves the event loop to its other channels in between). A write on the event loop is written
 * and flushed at once while nothing is queued, else queued behind the frames already waiting, so
 * writes keep the order of the calls wherever they come from. Queued frames count as pending
 * bytes; a close fails every frame still queued. {@link #abort} hands the queued frames to the
 * channel, flushes what the socket takes at once and closes, which fails the rest.
 *
 * <p>Per frame written through {@link #write(byte[], WriteListener)} (the hub's sends): the
 * {@link PendingWrite} (the queue node and Netty's write promise in one object) comes from a
 * lock-free pool and goes back when the write is settled, and the buffer the frame is copied into
 * is pooled: a frame allocates nothing on the heap, from any thread, while fewer than
 * {@value PendingWrite#POOL_CAPACITY} writes per writing thread's stripe are in flight.
 * {@link #write(byte[])} adds the stage it returns.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter implements ConAdapter, SlowConsumerGuard.SlowConsumer, Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TcpConnection.class);

    /** The length prefix of a frame, in bytes. */
    static final int LENGTH_FIELD = 4;
    private static final byte[] EMPTY = new byte[0];

    private static final byte AWAITING_AUTH = 0;
    private static final byte AUTHENTICATING = 1;
    private static final byte OPEN = 2;
    private static final byte CLOSED = 3;

    /**
     * Frames a flush task writes before it flushes and, if more wait, yields the event loop. At
     * most the batch Netty's {@code Recycler} keeps per thread (32, {@code io.netty.recycler.chunkSize}):
     * the channel's outbound buffer entries of one flush then all go back to the event loop's own
     * batch; with 64 half of them went to the pool's queue, which allocates chunks (JMH: 4.8 B per
     * frame, against none with 32).
     */
    static final int FLUSH_BATCH = 32;

    private static final AtomicIntegerFieldUpdater<TcpConnection> CLOSE_REQUESTED =
            AtomicIntegerFieldUpdater.newUpdater(TcpConnection.class, "closeRequested");
    private static final AtomicReferenceFieldUpdater<TcpConnection, PendingWrite> PUSHED =
            AtomicReferenceFieldUpdater.newUpdater(TcpConnection.class, PendingWrite.class, "pushed");

    private final TcpServerTransport transport;
    private final Channel channel;
    private final SocketAddress remote;
    private final SlowConsumerGuard guard;
    /** This connection's place in the transport's connection limits; released when the channel closes. */
    private final EdgeGuard.Ticket ticket;
    /** The inbound rate limit; null when off. Event loop only. */
    private final InboundRate rate;
    /** 1 once a close or abort was requested. */
    private volatile int closeRequested;
    /** Frames written from other threads, newest first; any thread pushes, the event loop takes all. */
    private volatile PendingWrite pushed;

    // event loop only
    /** Frames taken from {@link #pushed} and not yet written, oldest first. */
    private PendingWrite taken;
    /** The bytes of an incomplete frame; null when none. */
    private ByteBuf cumulation;
    private byte state = AWAITING_AUTH;
    /** A frame was too long: everything after it is discarded. */
    private boolean discarding;
    private volatile Connection connection; // written once on the event loop; read by logging elsewhere
    private ArrayDeque<byte[]> early;
    private ScheduledFuture<?> authTimer;
    private ScheduledFuture<?> forcedClose;

    private volatile boolean paused;
    private volatile CloseReason closeReason;
    /** What exceeded a limit, for the failure messages of writes; null for none. */
    private volatile String closeDetail;

    TcpConnection(TcpServerTransport transport, Channel channel, EdgeGuard.Ticket ticket) {
        this.transport = transport;
        this.ticket = ticket;
        this.rate = transport.guard().settings().newInboundRate();
        this.channel = channel;
        this.remote = channel.remoteAddress();
        this.guard = new SlowConsumerGuard(channel, transport.highWaterMark(), transport.maxPendingBytes(),
                transport.writeTimeoutNanos(), this);
    }

    // ---------------------------------------------------------------- inbound, event loop

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        authTimer = channel.eventLoop().schedule(this::authTimedOut, transport.authTimeoutNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (discarding) {
            in.release();
            return;
        }
        ByteBuf buf = cumulation;
        cumulation = null;
        buf = buf == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buf, in);
        try {
            decode(buf);
        } finally {
            if (buf.isReadable() && !discarding && state != CLOSED) {
                buf.discardSomeReadBytes();
                cumulation = buf;
            } else {
                buf.release();
            }
        }
    }

    /** Takes every complete frame out of {@code in}; leaves an incomplete one. */
    private void decode(ByteBuf in) {
        int max = transport.maxFrameLength();
        while (!discarding) {
            int readable = in.readableBytes();
            if (readable < LENGTH_FIELD) {
                return;
            }
            long length = in.getUnsignedInt(in.readerIndex());
            if (length > max) {
                discarding = true;
                in.skipBytes(readable);
                frameTooLong(length, max);
                return;
            }
            if (readable - LENGTH_FIELD < length) {
                return;
            }
            in.skipBytes(LENGTH_FIELD);
            byte[] frame = EMPTY;
            if (length > 0) {
                frame = new byte[(int) length];
                in.readBytes(frame);
            }
            frameRead(frame);
        }
    }

    private void frameRead(byte[] frame) {
        switch (state) {
            case OPEN:
                deliver(frame);
                break;
            case AWAITING_AUTH:
                state = AUTHENTICATING;
                channel.config().setAutoRead(false);
                authenticate(frame);
                break;
            case AUTHENTICATING:
                if (early == null) {
                    early = new ArrayDeque<>(4);
                }
                early.add(frame);
                break;
            default:
                break;
        }
    }

    private void frameTooLong(long length, int max) {
        if (state == OPEN) {
            LOG.warn("closing {} ({}): frame length {} exceeds max-frame-length {}", remote, connection.device().uid(), length, max);
        } else {
            LOG.debug("closing {} before authentication: frame length {} exceeds max-frame-length {}", remote, length, max);
        }
        closeNow(CloseReason.FRAME_TOO_LARGE);
    }

    private void deliver(byte[] frame) {
        if (rate != null && !rate.tryAcquire(frame.length)) {
            if (closeReason == null) {
                LOG.info("closing {} ({}): inbound rate limit exceeded ({})", remote, who(),
                        transport.guard().settings().describeRateLimit());
            }
            closeNow(CloseReason.RATE_LIMITED);
            return;
        }
        try {
            connection.onFrame(frame);
        } catch (RuntimeException e) {
            LOG.warn("hub failed to take a frame from {} ({}); frame dropped", remote, connection.device().uid(), e);
        }
    }

    private void authenticate(byte[] firstFrame) {
        AuthRequest.Builder builder = AuthRequest.builder(TcpTransportProvider.NAME, remote).firstFrame(firstFrame);
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            builder.peerCertificates(ServerTls.peerCertificates(tls.engine().getSession()));
        }
        AuthRequest request = builder.build();
        CompletionStage<Device> result;
        try {
            result = transport.context().authenticate(request);
        } catch (RuntimeException e) {
            authenticated(null, e);
            return;
        }
        result.whenComplete((device, error) -> onLoop(() -> authenticated(device, error)));
    }

    private void authenticated(Device device, Throwable error) {
        if (state != AUTHENTICATING) {
            return; // closed or timed out meanwhile
        }
        if (error != null || device == null) {
            Throwable cause = unwrap(error);
            if (cause == null) {
                LOG.warn("authenticator completed with no device for {}; closing the connection", remote);
            } else if (cause instanceof AuthenticationException) {
                LOG.debug("authentication of {} rejected: {}", remote, cause.getMessage());
                long ban = transport.guard().authenticationFailed(remote, cause);
                if (ban > 0) {
                    LOG.info("transport 'tcp' bans {} for {} ms: auth-failure-limit ({}) reached", remote, ban,
                            transport.guard().settings().authFailureLimit());
                }
            } else if (cause instanceof TokException) {
                LOG.info("authentication of {} failed: {}", remote, cause.getMessage());
            } else {
                LOG.warn("authenticator failed for {}", remote, cause);
            }
            closeNow(CloseReason.AUTH_FAILED);
            return;
        }
        if (!channel.isActive()) {
            return;
        }
        Connection registered;
        try {
            registered = transport.context().register(device, this);
        } catch (HubClosedException e) {
            LOG.debug("connection of {} from {} not registered: the hub is closed", device.uid(), remote);
            closeNow(CloseReason.SERVER_SHUTDOWN);
            return;
        } catch (ConnectionLimitException e) {
            LOG.info("connection of {} from {} not registered: {}", device.uid(), remote, e.getMessage());
            closeNow(CloseReason.CONNECTION_LIMIT);
            return;
        } catch (RuntimeException e) {
            LOG.warn("hub failed to register {} from {}", device.uid(), remote, e);
            closeNow(CloseReason.SERVER_ERROR);
            return;
        }
        connection = registered;
        ticket.authenticated();
        state = OPEN;
        cancel(authTimer);
        authTimer = null;
        LOG.debug("{} authenticated as {}/{}", remote, device.uid(), device.deviceId());
        if (early != null) {
            byte[] f;
            while (state == OPEN && (f = early.poll()) != null) {
                deliver(f);
            }
            early = null;
        }
        applyAutoRead();
    }

    private void authTimedOut() {
        authTimer = null;
        if (state == AWAITING_AUTH || state == AUTHENTICATING) {
            LOG.debug("closing {}: not authenticated within auth-timeout {} ms", remote,
                    TimeUnit.NANOSECONDS.toMillis(transport.authTimeoutNanos()));
            closeNow(CloseReason.AUTH_TIMEOUT);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent h = (SslHandshakeCompletionEvent) evt;
            if (!h.isSuccess()) {
                LOG.debug("TLS handshake with {} failed: {}", remote, h.cause().toString());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        guard.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    /** The guard's verdict: on the event loop (write timeout) or the writing thread (max-pending-bytes). */
    @Override
    public void slowConsumer(String why) {
        if (closeReason == null) {
            LOG.warn("closing slow consumer {} ({}): {}", remote, who(), why);
            closeDetail = why;
        }
        closeNow(CloseReason.SLOW_CONSUMER);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        byte previous = state;
        state = CLOSED;
        cancel(authTimer);
        guard.stop();
        cancel(forcedClose);
        authTimer = null;
        forcedClose = null;
        early = null;
        releaseCumulation();
        transport.closed(channel, ticket);
        failQueued(notWritten(null));
        if (previous == OPEN) {
            LOG.debug("connection {} ({}) closed: {}", remote, connection.device().uid(),
                    closeReason == null ? "by the peer" : closeReason.text());
            try {
                connection.onClosed(closeReason == null ? CloseReason.PEER_CLOSED : closeReason);
            } catch (RuntimeException e) {
                LOG.warn("hub failed to handle the close of {}", remote, e);
            }
        } else {
            LOG.debug("connection {} closed before authentication: {}", remote, closeReason == null ? "by the peer" : closeReason.text());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseCumulation();
    }

    private void releaseCumulation() {
        ByteBuf c = cumulation;
        cumulation = null;
        if (c != null) {
            c.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || (cause.getCause() instanceof IOException)) {
            LOG.debug("I/O error on {}: {}", remote, cause.toString());
            closeNow(CloseReason.IO_ERROR);
        } else {
            LOG.warn("error on connection {} ({})", remote, who(), cause);
            closeNow(CloseReason.SERVER_ERROR);
        }
    }

    // ---------------------------------------------------------------- ConAdapter, any thread

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        return WriteStage.write(this, frame);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The queue node and Netty's promise are one pooled {@link PendingWrite}, the buffer is
     * pooled: nothing is allocated on the heap per frame.
     */
    @Override
    public void write(byte[] frame, WriteListener listener) {
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(listener, "listener");
        if (closeRequested != 0 || !channel.isActive() || !guard.reserve(LENGTH_FIELD + frame.length)) {
            listener.writeCompleted(notWritten(null));
            return;
        }
        PendingWrite w = PendingWrite.of(this, frame, listener);
        if (channel.eventLoop().inEventLoop() && taken == null && pushed == null) {
            w.writeTo(true);
        } else {
            // off the event loop, or on it behind frames still queued (they were written first)
            push(w);
        }
    }

    /** Queues a frame; the push that finds the queue empty schedules the flush task. Any thread. */
    private void push(PendingWrite w) {
        PendingWrite top;
        do {
            top = pushed;
            w.next = top;
        } while (!PUSHED.compareAndSet(this, top, w));
        if (top == null) {
            scheduleFlush();
        }
    }

    /** Makes sure a flush task will take what is queued; any thread. */
    private void scheduleFlush() {
        try {
            channel.eventLoop().execute(this);
        } catch (RejectedExecutionException e) {
            // the event loop is gone: nothing will write these frames
            failQueued(notWritten(e));
        }
    }

    /** The flush task: writes up to {@link #FLUSH_BATCH} queued frames, flushes once. Event loop. */
    @Override
    public void run() {
        if (writeQueued(FLUSH_BATCH) > 0) {
            channel.flush();
        }
        if (taken != null) {
            scheduleFlush(); // behind the other tasks of the event loop; pushes meanwhile found the stack non-empty
        }
    }

    /** Moves what was pushed, in call order, behind what was taken before. Event loop (or after the loop is gone). */
    private void takePushed() {
        PendingWrite stack = PUSHED.getAndSet(this, null);
        if (stack == null) {
            return;
        }
        PendingWrite fifo = null;
        while (stack != null) {
            PendingWrite next = stack.next;
            stack.next = fifo;
            fifo = stack;
            stack = next;
        }
        if (taken == null) {
            taken = fifo;
        } else {
            PendingWrite last = taken;
            while (last.next != null) {
                last = last.next;
            }
            last.next = fifo;
        }
    }

    /** Writes (without flushing) up to {@code max} queued frames; @return how many. Event loop. */
    private int writeQueued(int max) {
        if (taken == null) {
            takePushed();
        }
        int n = 0;
        PendingWrite w;
        while (n < max && (w = taken) != null) {
            taken = w.next;
            w.next = null;
            w.writeTo(false);
            n++;
            if (taken == null && n < max) {
                takePushed();
            }
        }
        return n;
    }

    /**
     * Fails every queued frame. On the event loop, or from a thread that found the event loop
     * gone (then nothing else takes from the queue).
     */
    private void failQueued(TokException cause) {
        takePushed();
        PendingWrite w;
        while ((w = taken) != null) {
            taken = w.next;
            w.next = null;
            w.settle(cause);
        }
    }

    @Override
    public void close(CloseReason reason) {
        closeAfterFlush(Objects.requireNonNull(reason, "reason"), transport.writeTimeoutNanos());
    }

    /** Called by the transport on stop: flush, close, and force the close after the grace period. */
    void closeForStop(long graceNanos) {
        closeAfterFlush(CloseReason.SERVER_SHUTDOWN, graceNanos);
    }

    private void closeAfterFlush(CloseReason reason, long forceAfterNanos) {
        if (!CLOSE_REQUESTED.compareAndSet(this, 0, 1)) {
            return;
        }
        if (closeReason == null) {
            closeReason = reason;
        }
        Runnable flushThenClose = () -> {
            if (!channel.isActive()) {
                return;
            }
            writeQueued(Integer.MAX_VALUE);
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            if (channel.isActive()) {
                forcedClose = channel.eventLoop().schedule(() -> {
                    forcedClose = null;
                    channel.close();
                }, forceAfterNanos, TimeUnit.NANOSECONDS);
            }
        };
        try {
            channel.eventLoop().execute(flushThenClose);
        } catch (RejectedExecutionException e) {
            channel.close();
        }
    }

    /**
     * Hands the queued frames to the channel, lets the socket take what it takes at once, then
     * closes: Netty fails every write still in the channel's outbound buffer, so no pending stage
     * waits for a peer that does not read.
     */
    @Override
    public void abort(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (closeReason == null) {
            closeReason = reason;
        }
        closeRequested = 1;
        Runnable abort = () -> {
            if (channel.isActive()) {
                writeQueued(Integer.MAX_VALUE);
                channel.flush(); // a non-blocking attempt: what the socket does not take now fails with the close
            }
            failQueued(notWritten(null));
            channel.close();
        };
        try {
            channel.eventLoop().execute(abort);
        } catch (RejectedExecutionException e) {
            failQueued(notWritten(e));
            channel.close();
        }
    }

    private void closeNow(CloseReason reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        closeRequested = 1;
        channel.close();
    }

    @Override
    public String transport() {
        return TcpTransportProvider.NAME;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void pauseReading() {
        paused = true;
        onLoop(this::applyAutoRead);
    }

    @Override
    public void resumeReading() {
        paused = false;
        onLoop(this::applyAutoRead);
    }

    private void applyAutoRead() {
        if (state == OPEN && channel.isActive()) {
            channel.config().setAutoRead(!paused);
        }
    }

    // ---------------------------------------------------------------- helpers

    private void onLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            try {
                channel.eventLoop().execute(r);
            } catch (RejectedExecutionException e) {
                LOG.debug("event loop of {} already stopped", remote);
            }
        }
    }

    Channel channel() {
        return channel;
    }

    /** A write settled: its bytes no longer wait. Any thread. */
    void released(int bytes) {
        guard.release(bytes);
    }

    /** @return bytes of frames written but not yet handed to the operating system; for tests */
    long pendingBytes() {
        return guard.pendingBytes();
    }

    private String who() {
        Connection c = connection;
        return c == null ? "unauthenticated" : c.device().uid();
    }

    TokException notWritten(Throwable cause) {
        CloseReason reason = closeReason;
        String msg = "tcp: frame to " + remote + " not written: connection "
                + (reason == null ? "closed" : "closed (" + reason.text() + (closeDetail == null ? "" : ": " + closeDetail) + ")");
        return cause == null ? new TokException(msg) : new TokException(msg, cause);
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
