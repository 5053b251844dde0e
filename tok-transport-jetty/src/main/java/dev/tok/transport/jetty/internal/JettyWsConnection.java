package dev.tok.transport.jetty.internal;

import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionLimitException;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.WriteListener;
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.InboundRate;
import dev.tok.transport.support.Utf8;
import dev.tok.transport.support.WriteStage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection of the {@code jetty-ws} transport: the hub's {@link ConAdapter} and
 * the {@link FrameHandler} of Jetty's core WebSocket session (no WebSocket API layer: neither the
 * upgrade request nor response, nor method handles, are kept per connection; only the device, the
 * remote address and the edge ticket read at the upgrade).
 *
 * <p>Reading uses Jetty's explicit demand: the next frame is requested once a message was handed
 * to the hub ({@link Connection#onFrame}), unless the hub paused reading; resuming demands the
 * withheld frame. Fragmented messages are joined here (a buffer exists only while a message is
 * incomplete); text messages are checked to be UTF-8 (else close 1007), messages larger than
 * {@code max-message-size} close with 1009. Pings are answered with a pong here.
 *
 * <p>Jetty's session queues outgoing frames in call order and never blocks; this class counts the
 * bytes waiting so that the transport can close slow consumers: after the write timeout above the
 * high-water mark (the transport's timer) or at once when a write would pass
 * {@code max-pending-bytes}. The read timeout is the hub's: messages reach it through
 * {@link Connection#onFrame}, pings and pongs through {@link Connection#onActivity()}. Jetty's own
 * idle timeout is off for these sessions.
 */
public final class JettyWsConnection implements ConAdapter, FrameHandler {

    private static final Logger LOG = LoggerFactory.getLogger(JettyWsConnection.class);

    private static final VarHandle PENDING;
    private static final VarHandle STATE;
    private static final VarHandle READING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PENDING = l.findVarHandle(JettyWsConnection.class, "pending", long.class);
            STATE = l.findVarHandle(JettyWsConnection.class, "state", int.class);
            READING = l.findVarHandle(JettyWsConnection.class, "reading", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link #state} bit: this side started a close or abort. */
    private static final int CLOSING = 1;
    /** {@link #state} bit: Jetty reported the close. */
    private static final int CLOSED = 2;
    /** {@link #reading} bit: the hub paused reading. */
    private static final int PAUSED = 1;
    /** {@link #reading} bit: a demand was withheld while paused. */
    private static final int WITHHELD = 2;

    /** An abort not reported closed after this long is disconnected again. */
    private static final long ABORT_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final JettyWsCore core;
    private final Device device;
    private final SocketAddress remote;
    private final EdgeGuard.Ticket ticket;
    /**
     * The inbound rate limit (messages, pings, pongs); null when off. Called by one Jetty thread at
     * a time: the next frame is read only after this one's demand.
     */
    private final InboundRate rate;
    /** Bytes written but not yet completed; through {@link #PENDING}. */
    private volatile long pending;
    /** {@link #CLOSING} and {@link #CLOSED}; through {@link #STATE}. */
    private volatile int state;
    /** {@link #PAUSED} and {@link #WITHHELD}; through {@link #READING}. */
    private volatile int reading;
    private volatile CoreSession session;
    private volatile Connection connection;
    private volatile long aboveSince;
    private volatile long lastPing;
    private volatile long closeRequestedAt;
    /**
     * When {@link #abort} disconnected the session ({@link System#nanoTime()}, never 0), until the
     * close is reported: the tick disconnects again if it was not.
     */
    private volatile long abortedAt;
    /** The reason reported to the hub; set once, when Jetty reports the close. */
    private volatile CloseReason closedWith = CloseReason.PEER_CLOSED;
    /** Why this side closed; null if the peer closed first. */
    private volatile CloseReason closeReason;
    /** The fragments of an incomplete message so far, else null; Jetty's reading thread only. */
    private byte[] partial;
    private int partialLength;
    private boolean partialText;

    JettyWsConnection(JettyWsCore core, Device device, SocketAddress remote, EdgeGuard.Ticket ticket) {
        this.core = core;
        this.device = device;
        this.remote = remote;
        this.ticket = ticket;
        this.rate = core.settings().edge().newInboundRate();
    }

    /**
     * Configures Jetty's session before it opens: frames up to {@code max-message-size} (larger
     * ones close with 1009; no automatic fragmentation), no idle timeout.
     *
     * @param configuration the session's configuration
     */
    public void configure(Configuration configuration) {
        long max = core.settings().maxMessageSize();
        configuration.setAutoFragment(false);
        configuration.setMaxFrameSize(max);
        configuration.setMaxTextMessageSize(max);
        configuration.setMaxBinaryMessageSize(max);
        configuration.setIdleTimeout(Duration.ZERO);
    }

    private boolean closing() {
        return (state & CLOSING) != 0;
    }

    /** @return true once Jetty reported the close */
    boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** @return true if this call set {@link #CLOSING} */
    private boolean startClosing() {
        int s;
        do {
            s = state;
            if ((s & CLOSING) != 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, s, s | CLOSING));
        return true;
    }

    /** Jetty: the upgrade completed; registers the connection with the hub and starts reading. */
    @Override
    public void onOpen(CoreSession s, Callback callback) {
        this.session = s;
        lastPing = System.nanoTime();
        callback.succeeded();
        if (!core.add(this)) {
            closeWith(CloseReason.SERVER_SHUTDOWN);
            return;
        }
        Connection c;
        try {
            c = core.context().register(device, this);
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
        connection = c;
        if (isClosed()) {
            c.onClosed(closedWith);
            return;
        }
        demandNext(); // the first frame, unless the hub paused reading already
    }

    /**
     * Jetty: a frame arrived (never concurrently for one connection). The frame's buffer is valid
     * until the callback completes.
     */
    @Override
    public void onFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.TEXT:
            case OpCode.BINARY:
            case OpCode.CONTINUATION:
                data(frame, callback);
                return;
            case OpCode.PING:
                ping(frame, callback);
                return;
            case OpCode.PONG:
                callback.succeeded();
                if (withinRate(frame.getPayloadLength())) {
                    activity();
                    demandNext();
                }
                return;
            default:
                // CLOSE: Jetty answers it once the callback completed, then reports onClosed
                callback.succeeded();
        }
    }

    private void data(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        int length = frame.getPayloadLength();
        long max = core.settings().maxMessageSize();
        byte[] message;
        boolean text;
        if (op != OpCode.CONTINUATION && frame.isFin()) {
            // the whole message in one frame: the common case, one copy
            if (length > max) {
                callback.failed(new MessageTooLargeException("message of " + length + " bytes exceeds max-message-size " + max));
                return;
            }
            message = new byte[length];
            if (length > 0) {
                ByteBuffer payload = frame.getPayload();
                payload.get(payload.position(), message);
            }
            text = op == OpCode.TEXT;
        } else {
            if (op != OpCode.CONTINUATION) {
                partial = new byte[(int) Math.min(max, Math.max(256L, 2L * length))];
                partialLength = 0;
                partialText = op == OpCode.TEXT;
            }
            long total = (long) partialLength + length;
            if (total > max) {
                partial = null;
                callback.failed(new MessageTooLargeException("message of more than " + max + " bytes (max-message-size)"));
                return;
            }
            if (total > partial.length) {
                partial = Arrays.copyOf(partial, (int) Math.min(max, Math.max(total, 2L * partial.length)));
            }
            if (length > 0) {
                ByteBuffer payload = frame.getPayload();
                payload.get(payload.position(), partial, partialLength, length);
            }
            partialLength = (int) total;
            if (!frame.isFin()) {
                callback.succeeded();
                demandNext();
                return;
            }
            message = partialLength == partial.length ? partial : Arrays.copyOf(partial, partialLength);
            text = partialText;
            partial = null;
        }
        if (text && !Utf8.isValid(message)) {
            callback.failed(new BadPayloadException("text message is not valid UTF-8"));
            return;
        }
        callback.succeeded();
        if (!withinRate(message.length)) {
            return;
        }
        Connection c = connection;
        if (c != null) {
            c.onFrame(message);
        }
        demandNext();
    }

    /** A ping: the peer is alive; answered with a pong of the same payload. */
    private void ping(Frame frame, Callback callback) {
        int length = frame.getPayloadLength();
        ByteBuffer copy = null;
        if (length > 0) {
            ByteBuffer payload = frame.getPayload();
            byte[] bytes = new byte[length];
            payload.get(payload.position(), bytes);
            copy = ByteBuffer.wrap(bytes);
        }
        callback.succeeded();
        if (!withinRate(length)) {
            return;
        }
        activity();
        CoreSession s = session;
        if (s != null && !closing()) {
            try {
                s.sendFrame(new Frame(OpCode.PONG, true, copy), Callback.NOOP, false);
            } catch (RuntimeException e) {
                LOG.debug("pong to {} failed", device, e);
            }
        }
        demandNext();
    }

    /**
     * @return true if a frame of that length is within the rate limit; else aborts the connection
     *         with {@code RATE_LIMITED} (and demands nothing more)
     */
    private boolean withinRate(int length) {
        if (rate == null || rate.tryAcquire(length)) {
            return true;
        }
        if (!closing()) {
            LOG.info("closing {} from {}: inbound rate limit exceeded ({})", device, remote,
                    core.settings().edge().describeRateLimit());
        }
        abort(CloseReason.RATE_LIMITED);
        return false;
    }

    private void activity() {
        Connection c = connection;
        if (c != null && !isClosed()) {
            c.onActivity();
        }
    }

    /** Jetty: an error; {@link #onClosed} follows. */
    @Override
    public void onError(Throwable cause, Callback callback) {
        LOG.debug("{} failed: {}", device, cause.toString());
        callback.succeeded();
    }

    /** Jetty: the connection is closed; called once, on any path. */
    @Override
    public void onClosed(CloseStatus status, Callback callback) {
        try {
            closed(status.getCode(), status.getReason());
        } finally {
            callback.succeeded();
        }
    }

    private void closed(int status, String reason) {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, s | CLOSED));
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
        int r;
        do {
            r = reading;
            if ((r & PAUSED) == 0) {
                session.demand();
                return;
            }
        } while (!READING.compareAndSet(this, r, r | WITHHELD));
    }

    @Override
    public void pauseReading() {
        READING.getAndBitwiseOr(this, PAUSED);
    }

    @Override
    public void resumeReading() {
        int before = (int) READING.getAndSet(this, 0);
        CoreSession s = session;
        if ((before & WITHHELD) != 0 && s != null) {
            s.demand();
        }
    }

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        return WriteStage.write(this, frame);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Jetty's callback tells the listener, on the thread that completed the write (at once, on
     * the calling thread, for a connection that is closed or over {@code max-pending-bytes}).
     */
    @Override
    public void write(byte[] frame, WriteListener listener) {
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(listener, "listener");
        CoreSession s = session;
        if (state != 0 || s == null) {
            listener.writeCompleted(new TokException("connection of " + device.uid() + " is closed"));
            return;
        }
        int length = frame.length;
        long before = (long) PENDING.getAndAdd(this, (long) length);
        long max = core.settings().maxPendingBytes();
        if (before > 0 && before + length > max) {
            PENDING.getAndAdd(this, (long) -length);
            if (closeReason == null) {
                LOG.info("closing slow consumer {} from {}: {} bytes waiting, another {} would pass max-pending-bytes {}", device,
                        remote, before, length, max);
            }
            abort(CloseReason.SLOW_CONSUMER);
            listener.writeCompleted(new TokException("connection of " + device.uid()
                    + " is closed: slow consumer (max-pending-bytes " + max + " exceeded)"));
            return;
        }
        if (before + length > core.settings().highWaterMark() && aboveSince == 0) {
            aboveSince = System.nanoTime() | 1;
        }
        Write write = new Write(this, length, listener);
        byte opCode = core.settings().binary() || !Utf8.isValid(frame) ? OpCode.BINARY : OpCode.TEXT;
        try {
            s.sendFrame(new Frame(opCode, true, ByteBuffer.wrap(frame)), write, false);
        } catch (RuntimeException e) {
            write.failed(e);
        }
    }

    private void written(int length) {
        if ((long) PENDING.getAndAdd(this, (long) -length) - length <= core.settings().highWaterMark()) {
            aboveSince = 0;
        }
    }

    /**
     * One write: Jetty's callback, which Jetty completes once the frame was written (or failed,
     * also when the connection closes or is aborted), telling the write's listener on that thread.
     */
    private static final class Write implements Callback {
        private final JettyWsConnection connection;
        private final int length;
        private final WriteListener listener;

        Write(JettyWsConnection connection, int length, WriteListener listener) {
            this.connection = connection;
            this.length = length;
            this.listener = listener;
        }

        @Override
        public void succeeded() {
            connection.written(length);
            listener.writeCompleted(null);
        }

        @Override
        public void failed(Throwable x) {
            connection.written(length);
            listener.writeCompleted(new TokException("write to " + connection.device.uid() + " failed: " + x, x));
        }
    }

    @Override
    public void close(CloseReason reason) {
        closeWith(Objects.requireNonNull(reason, "reason"));
    }

    /** Closes with a WebSocket close frame after the queued frames; forced after the close grace. */
    void closeWith(CloseReason reason) {
        CoreSession s = session;
        if (!startClosing()) {
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
     * Drops the TCP connection without waiting for a peer that does not read, writing what the
     * socket takes at once (the {@link ConAdapter#abort} contract). If the socket is not full and
     * the queued frames are below the high-water mark, they are written, then the reason's close
     * frame, then the connection is dropped: a single sign-on's bye written just before the abort
     * reaches a peer that reads. If the socket is full (Jetty waits for it to become writable) or
     * more than the high-water mark waits, the connection is dropped at once and the queued frames
     * fail. Should the socket fill up meanwhile, the timer drops the connection within
     * {@link #ABORT_RETRY_NANOS}. Any thread.
     */
    @Override
    public void abort(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (closeReason == null) {
            closeReason = reason;
        }
        boolean first = startClosing();
        if (closeRequestedAt == 0) {
            closeRequestedAt = System.nanoTime() | 1;
        }
        CoreSession s = session;
        if (s == null) {
            return;
        }
        abortedAt = System.nanoTime() | 1;
        if (first && (pending == 0 || (aboveSince == 0 && !outputBlocked(s)))) {
            s.close(reason.code(), reason.text(), Callback.from(s::abort, x -> s.abort()));
        } else {
            s.abort();
        }
    }

    /**
     * @return true if Jetty waits for the socket to become writable (it did not take all it was
     *         given), or if that cannot be told (an end point of another kind)
     */
    private static boolean outputBlocked(CoreSession s) {
        if (s instanceof WebSocketCoreSession ws) {
            WebSocketConnection c = ws.getConnection();
            if (c != null && c.getEndPoint() instanceof AbstractEndPoint e) {
                return e.getWriteFlusher().isPending();
            }
        }
        return true;
    }

    /**
     * Periodic check, on the transport's timer thread: WebSocket ping, slow consumer, close grace.
     */
    void tick(long now, long pingNanos, long writeTimeoutNanos, long graceNanos) {
        CoreSession s = session;
        if (s == null || isClosed()) {
            return;
        }
        long aborted = abortedAt;
        if (aborted != 0 && now - aborted > ABORT_RETRY_NANOS) {
            abortedAt = now | 1;
            LOG.debug("{} was aborted {} ms ago and is still open: disconnecting again", device,
                    TimeUnit.NANOSECONDS.toMillis(now - aborted));
            s.abort();
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
                    pending);
            abort(CloseReason.SLOW_CONSUMER);
            return;
        }
        if (pingNanos > 0 && now - lastPing >= pingNanos) {
            lastPing = now;
            try {
                s.sendFrame(new Frame(OpCode.PING), Callback.NOOP, false);
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
            case CloseStatus.MESSAGE_TOO_LARGE:
                return CloseReason.FRAME_TOO_LARGE;
            case CloseStatus.BAD_PAYLOAD:
                return CloseReason.INVALID_PAYLOAD;
            case CloseStatus.PROTOCOL:
                return CloseReason.PROTOCOL_ERROR;
            case CloseStatus.NO_CLOSE:
                return CloseReason.IO_ERROR;
            case CloseStatus.SERVER_ERROR:
                return CloseReason.SERVER_ERROR;
            default:
                return CloseReason.PEER_CLOSED;
        }
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
