package com.example.tok.transport.unix;

import dev.tok.api.CloseReason;
import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection. Everything but {@link #write}, {@link #close}, {@link #pauseReading}
 * and {@link #resumeReading} runs on the transport's selector thread; those four may be called
 * from any thread, never block, and hand their work to the loop.
 *
 * <p>Inbound: the first frame goes to the authenticator, later ones to the hub in order.
 * Outbound: frames wait in a lock-free queue and are written with gathering writes; each frame's
 * stage completes once the whole frame was handed to the operating system. A connection whose
 * unwritten bytes stay above the high-water mark for the write timeout, or would pass
 * {@code max-pending-bytes}, is closed, and every pending write fails (so the hub queues what had
 * a ttl). {@link #abort} writes what the socket takes at once and closes, failing the rest. The
 * read timeout is the hub's: every frame read reaches it through {@link Connection#onFrame}.
 */
final class UnixConnection implements ConAdapter {

    private static final System.Logger LOG = System.getLogger(UnixConnection.class.getName());
    private static final int READ_BUFFER = 64 * 1024;
    /** Bytes read per readiness event before other connections get their turn. */
    private static final int READ_BUDGET = 256 * 1024;
    private static final int WRITE_BATCH = 64;

    private enum State { AUTH, AUTHENTICATING, OPEN, CLOSED }

    /** One frame waiting to be written. */
    private static final class Pending {
        final byte[] frame;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        ByteBuffer header;
        ByteBuffer body;

        Pending(byte[] frame) {
            this.frame = frame;
        }

        void prepare() {
            header = ByteBuffer.allocate(4).putInt(0, frame.length);
            body = ByteBuffer.wrap(frame);
        }

        boolean written() {
            return !header.hasRemaining() && !body.hasRemaining();
        }
    }

    private final UnixTransport transport;
    private final UnixSettings settings;
    private final SocketChannel channel;
    private final SocketAddress remote;
    private final long authDeadline;

    // selector thread only
    private SelectionKey key;
    private State state = State.AUTH;
    private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER);
    private byte[] payload;
    private int filled;
    private boolean paused;
    private boolean closing;
    private long closeDeadline;
    private boolean above;
    private long aboveSince;
    private Device device;
    private final ArrayDeque<Pending> inflight = new ArrayDeque<>();
    private final ByteBuffer[] gather = new ByteBuffer[WRITE_BATCH * 2];

    // any thread
    private final ConcurrentLinkedQueue<Pending> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile boolean closed;
    /** The reason the hub gave to {@link #close}; selector thread only. */
    private CloseReason closeRequested;
    private volatile Connection connection;

    UnixConnection(UnixTransport transport, SocketChannel channel, long now) {
        this.transport = transport;
        this.settings = transport.settings();
        this.channel = channel;
        SocketAddress peer;
        try {
            peer = channel.getRemoteAddress();
        } catch (IOException e) {
            peer = null;
        }
        this.remote = peer != null ? peer : UnixDomainSocketAddress.of("");
        this.authDeadline = now + transport.authTimeoutNanos();
    }

    void register(SelectionKey key) {
        this.key = key;
    }

    // ---------------------------------------------------------------- inbound (selector thread)

    void ready(SelectionKey k) {
        if (k.isValid() && k.isReadable()) {
            read();
        }
        if (state != State.CLOSED && k.isValid() && k.isWritable()) {
            flush();
        }
    }

    private void read() {
        int budget = READ_BUDGET;
        try {
            while (budget > 0 && (state == State.AUTH || state == State.OPEN) && !paused) {
                int n = channel.read(in);
                if (n < 0) {
                    closeNow(CloseReason.PEER_CLOSED, "closed by the peer");
                    return;
                }
                if (n == 0) {
                    return;
                }
                budget -= n;
                in.flip();
                parse();
                in.compact();
            }
        } catch (IOException e) {
            closeNow(CloseReason.IO_ERROR, "read failed: " + e.getMessage());
        }
    }

    /** Takes whole frames out of {@link #in} (in read mode) while the state lets frames through. */
    private void parse() {
        while (state == State.AUTH || state == State.OPEN) {
            if (payload == null) {
                if (in.remaining() < 4) {
                    return;
                }
                long length = in.getInt() & 0xFFFF_FFFFL;
                if (length > settings.maxFrameLength) {
                    LOG.log(state == State.OPEN ? Level.WARNING : Level.DEBUG, "frame of {0} bytes from {1} exceeds max-frame-length {2}; closing",
                            Long.toString(length), who(), Integer.toString(settings.maxFrameLength));
                    closeNow(CloseReason.FRAME_TOO_LARGE, "frame over max-frame-length");
                    return;
                }
                payload = new byte[(int) length];
                filled = 0;
            }
            int n = Math.min(in.remaining(), payload.length - filled);
            in.get(payload, filled, n);
            filled += n;
            if (filled < payload.length) {
                return;
            }
            byte[] frame = payload;
            payload = null;
            if (state == State.AUTH) {
                authenticate(frame);
            } else {
                connection.onFrame(frame);
            }
        }
    }

    private void authenticate(byte[] frame) {
        state = State.AUTHENTICATING;
        key.interestOps(key.interestOps() & ~SelectionKey.OP_READ); // frames behind it wait for the verdict
        CompletionStage<Device> verdict;
        try {
            verdict = transport.context().authenticate(AuthRequest.builder(UnixTransportProvider.NAME, remote).firstFrame(frame).build());
        } catch (RuntimeException e) {
            closeNow(CloseReason.AUTH_FAILED, "authentication failed: " + e);
            return;
        }
        verdict.whenComplete((d, error) -> transport.execute(() -> authenticated(d, error)));
    }

    private void authenticated(Device d, Throwable error) {
        if (state != State.AUTHENTICATING) {
            return; // closed meanwhile: auth timeout, stop
        }
        if (error != null) {
            closeNow(CloseReason.AUTH_FAILED, "authentication refused: " + error.getMessage());
            return;
        }
        try {
            connection = transport.context().register(d, this);
        } catch (TokException e) {
            closeNow(CloseReason.CONNECTION_LIMIT, "not registered: " + e.getMessage());
            return;
        }
        device = d;
        state = State.OPEN;
        LOG.log(Level.DEBUG, "{0} registered", who());
        // frames the client sent right behind the auth frame
        in.flip();
        parse();
        in.compact();
        if (state == State.OPEN && !paused) {
            key.interestOps(key.interestOps() | SelectionKey.OP_READ);
            read();
        }
    }

    // ---------------------------------------------------------------- outbound

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        Objects.requireNonNull(frame, "frame");
        Pending p = new Pending(frame);
        if (closed) {
            p.done.completeExceptionally(new TokException("connection to " + remote + " is closed"));
            return p.done;
        }
        outbound.add(p);
        long pending = pendingBytes.addAndGet(4L + frame.length);
        if (closed) {
            failOutbound(new TokException("connection to " + remote + " is closed"));
        } else if (pending > settings.maxPendingBytes) {
            transport.execute(() -> {
                if (state != State.CLOSED) {
                    LOG.log(Level.WARNING, "{0} is a slow consumer: more than {1} bytes unwritten; closing", who(),
                            Long.toString(settings.maxPendingBytes));
                    closeNow(CloseReason.SLOW_CONSUMER, "slow consumer: more than " + settings.maxPendingBytes + " bytes unwritten");
                }
            });
        } else if (flushScheduled.compareAndSet(false, true)) {
            transport.execute(() -> {
                flushScheduled.set(false);
                if (state != State.CLOSED) {
                    flush();
                }
            });
        }
        return p.done;
    }

    /** Writes what the socket takes; selector thread only. */
    private void flush() {
        try {
            while (true) {
                while (inflight.size() < WRITE_BATCH) {
                    Pending p = outbound.poll();
                    if (p == null) {
                        break;
                    }
                    p.prepare();
                    inflight.add(p);
                }
                if (inflight.isEmpty()) {
                    break;
                }
                int n = 0;
                for (Pending p : inflight) {
                    gather[n++] = p.header;
                    gather[n++] = p.body;
                }
                channel.write(gather, 0, n);
                while (!inflight.isEmpty() && inflight.peek().written()) {
                    Pending p = inflight.poll();
                    pendingBytes.addAndGet(-(4L + p.frame.length));
                    p.done.complete(null);
                    if (state == State.CLOSED) {
                        return; // the hub closed it from a completion
                    }
                }
                if (!inflight.isEmpty()) {
                    key.interestOps(key.interestOps() | SelectionKey.OP_WRITE); // the socket buffer is full
                    return;
                }
            }
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            if (closing) {
                closeNow(closeRequested, "closed after the queued frames were written");
            }
        } catch (IOException e) {
            closeNow(CloseReason.IO_ERROR, "write failed: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- timers (selector thread)

    void tick(long now) {
        if (state == State.AUTH || state == State.AUTHENTICATING) {
            if (now - authDeadline > 0) {
                closeNow(CloseReason.AUTH_TIMEOUT, "not authenticated within the auth timeout");
            }
            return;
        }
        if (state != State.OPEN) {
            return;
        }
        if (pendingBytes.get() > settings.highWaterMark) {
            if (!above) {
                above = true;
                aboveSince = now;
            } else if (now - aboveSince > transport.writeTimeoutNanos()) {
                LOG.log(Level.WARNING, "{0} is a slow consumer: more than {1} bytes unwritten for the write timeout; closing",
                        who(), Long.toString(settings.highWaterMark));
                closeNow(CloseReason.SLOW_CONSUMER, "slow consumer");
                return;
            }
        } else {
            above = false;
        }
        if (closing && now - closeDeadline > 0) {
            closeNow(CloseReason.WRITE_TIMEOUT, "queued frames not written within the write timeout");
        }
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close(CloseReason reason) {
        onLoop(() -> {
            if (closeRequested == null) {
                closeRequested = reason;
            }
            if (state == State.CLOSED) {
                return;
            }
            if (state != State.OPEN) {
                closeNow(closeRequested, "closed before registration");
                return;
            }
            if (!closing) {
                closing = true;
                closeDeadline = System.nanoTime() + transport.writeTimeoutNanos();
                flush();
            }
        });
    }

    /**
     * Writes what the socket takes at once, then closes: every frame not written fails now
     * instead of waiting for a peer that may never read. Any thread.
     */
    @Override
    public void abort(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        onLoop(() -> {
            if (closeRequested == null) {
                closeRequested = reason;
            }
            if (state == State.CLOSED) {
                return;
            }
            if (state == State.OPEN) {
                flush(); // non-blocking: stops when the socket buffer is full
            }
            closeNow(closeRequested, "aborted");
        });
    }

    /** Closes at once, fails what was not written, tells the hub; selector thread only. Idempotent. */
    void closeNow(CloseReason why, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        closed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing a channel", e);
        }
        TokException cause = new TokException("connection to " + who() + " closed: " + reason);
        for (Pending p : inflight) {
            p.done.completeExceptionally(cause);
        }
        inflight.clear();
        failOutbound(cause);
        transport.removed(this);
        LOG.log(Level.DEBUG, "{0} closed: {1}", who(), reason);
        Connection c = connection;
        if (c != null) {
            c.onClosed(why);
        }
    }

    private void failOutbound(TokException cause) {
        for (Pending p = outbound.poll(); p != null; p = outbound.poll()) {
            p.done.completeExceptionally(cause);
        }
    }

    // ---------------------------------------------------------------- backpressure

    @Override
    public void pauseReading() {
        onLoop(() -> {
            if (state != State.CLOSED) {
                paused = true;
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            }
        });
    }

    @Override
    public void resumeReading() {
        onLoop(() -> {
            if (state == State.CLOSED || !paused) {
                return;
            }
            paused = false;
            if (state == State.OPEN) {
                key.interestOps(key.interestOps() | SelectionKey.OP_READ);
            }
        });
    }

    private void onLoop(Runnable task) {
        if (transport.inLoop()) {
            task.run();
        } else {
            transport.execute(task);
        }
    }

    // ---------------------------------------------------------------- identity

    @Override
    public String transport() {
        return UnixTransportProvider.NAME;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    private String who() {
        return device == null ? "unauthenticated connection" : "connection of " + device.uid() + "/" + device.deviceId();
    }
}
