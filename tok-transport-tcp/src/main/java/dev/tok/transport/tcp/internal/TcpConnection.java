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
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.InboundRate;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.netty.SlowConsumerGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: the last inbound handler of its pipeline and the {@link ConAdapter} the
 * hub writes through.
 *
 * <p>Lifecycle, all on the channel's event loop: the first frame is the auth payload; reading
 * pauses while the authenticator runs (frames that already arrived wait in order); on success
 * the connection registers with the hub, the waiting frames go to it and reading resumes. Timers:
 * the auth timeout from connect to registration and the slow-consumer timer while the channel is
 * above its high-water mark ({@link SlowConsumerGuard}, shared with {@code netty-ws}). The read
 * timeout is the hub's: every frame read reaches it through {@link Connection#onFrame}.
 *
 * <p>{@link #write}, {@link #close}, {@link #pauseReading} and {@link #resumeReading} may be
 * called from any thread. A write from another thread goes into the connection's lock-free
 * outbound queue, and the first write of a burst schedules one flush task on the event loop, which
 * writes every queued frame and flushes once (at most {@link #FLUSH_BATCH} frames per task, so a
 * busy connection leaves the event loop to its other channels in between). A write on the event
 * loop is written and flushed at once while the queue is empty, else queued behind the frames
 * already waiting, so writes keep the order of the calls wherever they come from. Queued frames
 * count as pending bytes; a close fails every frame still queued. {@link #abort} hands the queued
 * frames to the channel, flushes what the socket takes at once and closes, which fails the rest.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter implements ConAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TcpConnection.class);

    private enum State { AWAITING_AUTH, AUTHENTICATING, OPEN, CLOSED }

    /** Frames a flush task writes before it flushes and, if more wait, yields the event loop. */
    static final int FLUSH_BATCH = 64;

    private final TcpServerTransport transport;
    private final Channel channel;
    private final EventLoop loop;
    private final SocketAddress remote;
    private final SlowConsumerGuard guard;
    /** This connection's place in the transport's connection limits; released when the channel closes. */
    private final EdgeGuard.Ticket ticket;
    /** The inbound rate limit; null when off. Event loop only. */
    private final InboundRate rate;
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final Runnable applyAutoRead = this::applyAutoRead;
    /** Frames written from other threads, waiting for the event loop; any thread adds, the loop takes. */
    private final ConcurrentLinkedQueue<PendingWrite> outbound = new ConcurrentLinkedQueue<>();
    /** A {@link #flushQueued} task is scheduled and has not started yet. */
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushQueued = this::flushQueued;

    // event loop only
    private State state = State.AWAITING_AUTH;
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
        this.loop = channel.eventLoop();
        this.remote = channel.remoteAddress();
        this.guard = new SlowConsumerGuard(channel, transport.highWaterMark(), transport.maxPendingBytes(),
                transport.writeTimeoutNanos(), this::slowConsumer);
    }

    // ---------------------------------------------------------------- inbound, event loop

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        authTimer = loop.schedule(this::authTimedOut, transport.authTimeoutNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        byte[] frame = (byte[]) msg;
        switch (state) {
            case OPEN:
                deliver(frame);
                break;
            case AWAITING_AUTH:
                state = State.AUTHENTICATING;
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
        if (state != State.AUTHENTICATING) {
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
        state = State.OPEN;
        cancel(authTimer);
        authTimer = null;
        LOG.debug("{} authenticated as {}/{}", remote, device.uid(), device.deviceId());
        if (early != null) {
            byte[] f;
            while (state == State.OPEN && (f = early.poll()) != null) {
                deliver(f);
            }
            early = null;
        }
        applyAutoRead();
    }

    private void authTimedOut() {
        authTimer = null;
        if (state == State.AWAITING_AUTH || state == State.AUTHENTICATING) {
            LOG.debug("closing {}: not authenticated within auth-timeout {} ms", remote,
                    TimeUnit.NANOSECONDS.toMillis(transport.authTimeoutNanos()));
            closeNow(CloseReason.AUTH_TIMEOUT);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof FrameDecoder.FrameTooLong) {
            FrameDecoder.FrameTooLong t = (FrameDecoder.FrameTooLong) evt;
            if (state == State.OPEN) {
                LOG.warn("closing {} ({}): frame length {} exceeds max-frame-length {}", remote, connection.device().uid(),
                        t.length(), t.max());
            } else {
                LOG.debug("closing {} before authentication: frame length {} exceeds max-frame-length {}", remote, t.length(),
                        t.max());
            }
            closeNow(CloseReason.FRAME_TOO_LARGE);
        } else if (evt instanceof SslHandshakeCompletionEvent) {
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
    private void slowConsumer(String why) {
        if (closeReason == null) {
            LOG.warn("closing slow consumer {} ({}): {}", remote, who(), why);
            closeDetail = why;
        }
        closeNow(CloseReason.SLOW_CONSUMER);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State previous = state;
        state = State.CLOSED;
        cancel(authTimer);
        guard.stop();
        cancel(forcedClose);
        authTimer = null;
        forcedClose = null;
        early = null;
        failQueued(notWritten(null));
        if (previous == State.OPEN) {
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
        Objects.requireNonNull(frame, "frame");
        if (closeRequested.get() || !channel.isActive()) {
            return CompletableFuture.failedFuture(notWritten(null));
        }
        int size = FrameDecoder.LENGTH_FIELD + frame.length;
        if (!guard.reserve(size)) {
            return CompletableFuture.failedFuture(notWritten(null));
        }
        ByteBuf buf = channel.alloc().ioBuffer(size);
        buf.writeInt(frame.length).writeBytes(frame);
        PendingWrite w = new PendingWrite(buf, size);
        if (loop.inEventLoop() && outbound.isEmpty()) {
            w.writeTo(true);
        } else {
            // off the event loop, or on it behind frames still queued (they were written first)
            outbound.add(w);
            scheduleFlush();
        }
        return w;
    }

    /** Makes sure a flush task will take what is queued; any thread. */
    private void scheduleFlush() {
        while (flushScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(flushQueued);
                return;
            } catch (RejectedExecutionException e) {
                // the event loop is gone: nothing will write these frames
                flushScheduled.set(false);
                failQueued(notWritten(e));
                if (outbound.isEmpty()) {
                    return;
                }
            }
        }
    }

    /** The flush task: writes up to {@link #FLUSH_BATCH} queued frames, flushes once. Event loop. */
    private void flushQueued() {
        flushScheduled.set(false);
        if (writeQueued(FLUSH_BATCH) > 0) {
            channel.flush();
        }
        if (!outbound.isEmpty()) {
            scheduleFlush(); // behind the other tasks of the event loop
        }
    }

    /** Writes (without flushing) up to {@code max} queued frames; @return how many. Event loop. */
    private int writeQueued(int max) {
        int n = 0;
        PendingWrite w;
        while (n < max && (w = outbound.poll()) != null) {
            w.writeTo(false);
            n++;
        }
        return n;
    }

    /** Fails every queued frame; any thread (the queue may be drained concurrently). */
    private void failQueued(TokException cause) {
        PendingWrite w;
        while ((w = outbound.poll()) != null) {
            w.fail(cause);
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
        if (!closeRequested.compareAndSet(false, true)) {
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
                forcedClose = loop.schedule(() -> {
                    forcedClose = null;
                    channel.close();
                }, forceAfterNanos, TimeUnit.NANOSECONDS);
            }
        };
        try {
            loop.execute(flushThenClose);
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
        closeRequested.set(true);
        Runnable abort = () -> {
            if (channel.isActive()) {
                writeQueued(Integer.MAX_VALUE);
                channel.flush(); // a non-blocking attempt: what the socket does not take now fails with the close
            }
            failQueued(notWritten(null));
            channel.close();
        };
        try {
            loop.execute(abort);
        } catch (RejectedExecutionException e) {
            failQueued(notWritten(e));
            channel.close();
        }
    }

    private void closeNow(CloseReason reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        closeRequested.set(true);
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
        onLoop(applyAutoRead);
    }

    @Override
    public void resumeReading() {
        paused = false;
        onLoop(applyAutoRead);
    }

    private void applyAutoRead() {
        if (state == State.OPEN && channel.isActive()) {
            channel.config().setAutoRead(!paused);
        }
    }

    // ---------------------------------------------------------------- helpers

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            try {
                loop.execute(r);
            } catch (RejectedExecutionException e) {
                LOG.debug("event loop of {} already stopped", remote);
            }
        }
    }

    /** @return bytes of frames written but not yet handed to the operating system; for tests */
    long pendingBytes() {
        return guard.pendingBytes();
    }

    private String who() {
        Connection c = connection;
        return c == null ? "unauthenticated" : c.device().uid();
    }

    private TokException notWritten(Throwable cause) {
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

    /**
     * One write: the stage handed to the hub, the entry of the outbound queue, and the listener
     * of Netty's write future.
     */
    private final class PendingWrite extends CompletableFuture<Void> implements ChannelFutureListener {
        private ByteBuf buf;
        private final int size;

        PendingWrite(ByteBuf buf, int size) {
            this.buf = buf;
            this.size = size;
        }

        /** Hands the frame to the channel, flushing or not. Event loop. */
        void writeTo(boolean flush) {
            ByteBuf b = buf;
            buf = null;
            (flush ? channel.writeAndFlush(b) : channel.write(b)).addListener(this);
        }

        /** A queued frame that will never be written. */
        void fail(TokException cause) {
            ByteBuf b = buf;
            buf = null;
            if (b != null) {
                b.release();
            }
            guard.release(size);
            completeExceptionally(cause);
        }

        @Override
        public void operationComplete(ChannelFuture future) {
            guard.release(size);
            if (future.isSuccess()) {
                complete(null);
            } else {
                completeExceptionally(notWritten(future.cause()));
            }
        }
    }
}
