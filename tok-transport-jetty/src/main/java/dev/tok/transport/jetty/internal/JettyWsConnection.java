package dev.tok.transport.jetty.internal;

import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionLimitException;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.InboundRate;
import dev.tok.transport.support.Utf8;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection of the {@code jetty-ws} transport: the hub's {@link ConAdapter} and
 * the target of the Jetty endpoint's events. Jetty's session queues outgoing frames in call
 * order and never blocks; this class counts the bytes waiting so that the transport can close
 * slow consumers: after the write timeout above the high-water mark (the transport's timer) or
 * at once when a write would pass {@code max-pending-bytes}. The read timeout is the hub's:
 * messages reach it through {@link Connection#onFrame}, pings and pongs through
 * {@link Connection#onActivity()}. Jetty's own idle timeout stays off after the upgrade.
 */
public final class JettyWsConnection implements ConAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(JettyWsConnection.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final JettyWsCore core;
    private final Device device;
    private final SocketAddress remote;
    private final EdgeGuard.Ticket ticket;
    /**
     * The inbound rate limit (messages, pings, pongs); null when off. Called by one Jetty thread at
     * a time: the next message is read only after this one's demand.
     */
    private final InboundRate rate;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object demandLock = new Object();
    private volatile Session session;
    private volatile Connection connection;
    private volatile long aboveSince;
    private volatile long lastPing;
    private volatile long closeRequestedAt;
    /**
     * When {@link #abort} disconnected the session ({@link System#nanoTime()}, never 0), until the
     * close is reported: the tick disconnects again if it was not (seen once in CI: a disconnect
     * racing pending writes on a mounted connection left the socket open).
     */
    private volatile long abortedAt;
    /** The reason reported to the hub; set once, when Jetty reports the close. */
    private volatile CloseReason closedWith = CloseReason.PEER_CLOSED;
    /** Why this side closed; null if the peer closed first. */
    private volatile CloseReason closeReason;
    private boolean paused;
    private boolean demandWithheld;

    JettyWsConnection(JettyWsCore core, Device device, SocketAddress remote, EdgeGuard.Ticket ticket) {
        this.core = core;
        this.device = device;
        this.remote = remote;
        this.ticket = ticket;
        this.rate = core.settings().edge().newInboundRate();
    }

    /** Called by the endpoint once the upgrade completed, on a Jetty thread. */
    public void opened(Session s) {
        this.session = s;
        lastPing = System.nanoTime();
        s.setMaxTextMessageSize(core.settings().maxMessageSize());
        s.setMaxBinaryMessageSize(core.settings().maxMessageSize());
        s.setMaxFrameSize(core.settings().maxMessageSize());
        s.setIdleTimeout(java.time.Duration.ZERO);
        if (!core.add(this)) {
            closeWith(CloseReason.SERVER_SHUTDOWN);
            return;
        }
        try {
            connection = core.context().register(device, this);
        } catch (HubClosedException e) {
            LOG.debug("hub closed while {} connected", device);
            closeWith(CloseReason.SERVER_SHUTDOWN);
            return;
        } catch (ConnectionLimitException e) {
            LOG.info("refused {}: {}", device, e.getMessage());
            closeWith(CloseReason.CONNECTION_LIMIT);
            return;
        } catch (RuntimeException e) {
            LOG.warn("hub failed to register {}", device, e);
            closeWith(CloseReason.SERVER_ERROR);
            return;
        }
        if (closed.get()) {
            connection.onClosed(closedWith);
            return;
        }
        s.demand();
    }

    /** A text message arrived (fragments already joined). */
    public void text(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (!withinRate(bytes.length)) {
            return;
        }
        Connection c = connection;
        if (c != null) {
            c.onFrame(bytes);
        }
        demandNext();
    }

    /** A binary message arrived (fragments already joined); the buffer is valid until now. */
    public void binary(ByteBuffer payload) {
        if (!withinRate(payload.remaining())) {
            return;
        }
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        Connection c = connection;
        if (c != null) {
            c.onFrame(bytes);
        }
    }

    /**
     * @return true if a frame of that length is within the rate limit; else aborts the connection
     *         with {@code RATE_LIMITED} (and demands nothing more)
     */
    private boolean withinRate(int length) {
        if (rate == null || rate.tryAcquire(length)) {
            return true;
        }
        if (!closing.get()) {
            LOG.info("closing {} from {}: inbound rate limit exceeded ({})", device, remote,
                    core.settings().edge().describeRateLimit());
        }
        abort(CloseReason.RATE_LIMITED);
        return false;
    }

    /** Called after {@link #binary} released Jetty's buffer. */
    public void binaryDone() {
        if (!closing.get()) {
            demandNext();
        }
    }

    /**
     * A pong arrived: the peer is alive.
     *
     * @param length the pong's payload length, for the rate limit
     */
    public void pong(int length) {
        if (!withinRate(length)) {
            return;
        }
        activity();
        demandNext();
    }

    /**
     * A ping arrived: the peer is alive; answered with a pong of the same payload.
     *
     * @param payload the ping's payload, owned by the caller
     */
    public void ping(ByteBuffer payload) {
        if (!withinRate(payload.remaining())) {
            return;
        }
        activity();
        Session s = session;
        if (s != null && !closing.get()) {
            try {
                s.sendPong(payload, Callback.NOOP);
            } catch (RuntimeException e) {
                LOG.debug("pong to {} failed", device, e);
            }
        }
        demandNext();
    }

    private void activity() {
        Connection c = connection;
        if (c != null && !closed.get()) {
            c.onActivity();
        }
    }

    /** Jetty reported an error; the close follows. */
    public void failed(Throwable cause) {
        LOG.debug("{} failed: {}", device, cause.toString());
    }

    /** The socket is gone; called once by Jetty, on any path. */
    public void closedByJetty(int status, String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.debug("{} closed: {} {}", device, status, reason);
        CloseReason ours = closeReason;
        closedWith = ours != null ? ours : peerReason(status);
        core.remove(this);
        ticket.release();
        Connection c = connection;
        if (c != null) {
            c.onClosed(closedWith);
        }
    }

    private void demandNext() {
        Session s = session;
        synchronized (demandLock) {
            if (paused) {
                demandWithheld = true;
                return;
            }
        }
        s.demand();
    }

    @Override
    public void pauseReading() {
        synchronized (demandLock) {
            paused = true;
        }
    }

    @Override
    public void resumeReading() {
        boolean demand;
        synchronized (demandLock) {
            paused = false;
            demand = demandWithheld;
            demandWithheld = false;
        }
        Session s = session;
        if (demand && s != null) {
            s.demand();
        }
    }

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        Session s = session;
        if (closed.get() || closing.get() || s == null) {
            return CompletableFuture.failedFuture(new TokException("connection of " + device.uid() + " is closed"));
        }
        int length = frame.length;
        long before = pending.getAndAdd(length);
        long max = core.settings().maxPendingBytes();
        if (before > 0 && before + length > max) {
            pending.addAndGet(-length);
            if (closeReason == null) {
                LOG.info("closing slow consumer {} from {}: {} bytes waiting, another {} would pass max-pending-bytes {}", device,
                        remote, before, length, max);
            }
            abort(CloseReason.SLOW_CONSUMER);
            return CompletableFuture.failedFuture(new TokException("connection of " + device.uid()
                    + " is closed: slow consumer (max-pending-bytes " + max + " exceeded)"));
        }
        long now = before + length;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (now > core.settings().highWaterMark() && aboveSince == 0) {
            aboveSince = System.nanoTime() | 1;
        }
        Callback callback = new Callback() {
            @Override
            public void succeed() {
                written(length);
                done.complete(null);
            }

            @Override
            public void fail(Throwable x) {
                written(length);
                done.completeExceptionally(new TokException("write to " + device.uid() + " failed: " + x, x));
            }
        };
        try {
            if (core.settings().binary() || !Utf8.isValid(frame)) {
                s.sendBinary(ByteBuffer.wrap(frame), callback);
            } else {
                s.sendText(new String(frame, StandardCharsets.UTF_8), callback);
            }
        } catch (RuntimeException e) {
            callback.fail(e);
        }
        return done;
    }

    private void written(int length) {
        if (pending.addAndGet(-length) <= core.settings().highWaterMark()) {
            aboveSince = 0;
        }
    }

    @Override
    public void close(CloseReason reason) {
        closeWith(java.util.Objects.requireNonNull(reason, "reason"));
    }

    /** Closes with a WebSocket close frame after the queued frames; forced after the close grace. */
    void closeWith(CloseReason reason) {
        Session s = session;
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closeReason = reason;
        closeRequestedAt = System.nanoTime() | 1;
        if (s == null) {
            return;
        }
        s.close(reason.code(), reason.text(), Callback.NOOP);
    }

    /**
     * Sends the reason's close frame if nothing waits before it, and drops the TCP connection
     * without waiting for queued frames: they fail. With frames waiting (a peer that does not
     * read) the connection is dropped at once; else once the close frame was written (or failed).
     * Any thread.
     */
    @Override
    public void abort(CloseReason reason) {
        java.util.Objects.requireNonNull(reason, "reason");
        if (closeReason == null) {
            closeReason = reason;
        }
        boolean first = closing.compareAndSet(false, true);
        if (closeRequestedAt == 0) {
            closeRequestedAt = System.nanoTime() | 1;
        }
        Session s = session;
        if (s == null) {
            return;
        }
        abortedAt = System.nanoTime() | 1;
        if (first && pending.get() == 0) {
            s.close(reason.code(), reason.text(), Callback.from(s::disconnect, x -> s.disconnect()));
        } else {
            s.disconnect();
        }
    }

    /** An abort not reported closed after this long is disconnected again. */
    private static final long ABORT_RETRY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    /**
     * Periodic check, on the transport's timer thread: WebSocket ping, slow consumer, close grace.
     */
    void tick(long now, long pingNanos, long writeTimeoutNanos, long graceNanos) {
        Session s = session;
        if (s == null || closed.get()) {
            return;
        }
        long aborted = abortedAt;
        if (aborted != 0 && now - aborted > ABORT_RETRY_NANOS) {
            abortedAt = now | 1;
            LOG.debug("{} was aborted {} ms ago and is still open: disconnecting again", device,
                    java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(now - aborted));
            s.disconnect();
            return;
        }
        long requested = closeRequestedAt;
        if (requested != 0) {
            if (now - requested > graceNanos) {
                LOG.debug("{} did not answer the close within the grace period: dropping it", device);
                abort(CloseReason.SERVER_SHUTDOWN);
            }
            return;
        }
        long above = aboveSince;
        if (above != 0 && now - above > writeTimeoutNanos) {
            LOG.info("closing slow consumer {} from {}: {} bytes waited longer than the write timeout", device, remote,
                    pending.get());
            abort(CloseReason.SLOW_CONSUMER);
            return;
        }
        if (pingNanos > 0 && now - lastPing >= pingNanos) {
            lastPing = now;
            try {
                s.sendPing(EMPTY.duplicate(), Callback.NOOP);
            } catch (RuntimeException e) {
                LOG.debug("ping to {} failed", device, e);
            }
        }
    }

    /**
     * The reason of a close this side did not start: Jetty reports the status of the peer's
     * close frame, or its own for a protocol violation it detected.
     */
    private static CloseReason peerReason(int status) {
        switch (status) {
            case StatusCode.MESSAGE_TOO_LARGE:
                return CloseReason.FRAME_TOO_LARGE;
            case StatusCode.BAD_PAYLOAD:
                return CloseReason.INVALID_PAYLOAD;
            case StatusCode.PROTOCOL:
                return CloseReason.PROTOCOL_ERROR;
            case StatusCode.ABNORMAL:
                return CloseReason.IO_ERROR;
            case StatusCode.SERVER_ERROR:
                return CloseReason.SERVER_ERROR;
            default:
                return CloseReason.PEER_CLOSED;
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    Device device() {
        return device;
    }

    @Override
    public String transport() {
        return core.name();
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "jetty-ws connection of " + device + " from " + remote;
    }
}
