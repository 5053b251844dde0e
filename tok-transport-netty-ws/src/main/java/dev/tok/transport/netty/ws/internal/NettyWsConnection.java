package dev.tok.transport.netty.ws.internal;

import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionLimitException;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.HubConfig;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.WriteListener;
import dev.tok.transport.support.InboundRate;
import dev.tok.transport.support.Utf8;
import dev.tok.transport.support.WriteStage;
import dev.tok.transport.support.WsSettings;
import dev.tok.transport.support.netty.SlowConsumerGuard;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection of the {@code netty-ws} transport: the handler in front of Netty's
 * protocol handler (joins fragments, checks that text is UTF-8, hands messages to the hub, reports
 * pings and pongs as activity, passes pings and close frames on to the protocol handler, pings the
 * peer) and the hub's {@link ConAdapter}.
 * Writes from any thread go through Netty's channel, which keeps their order; the channel's
 * write-buffer water marks are the high-water mark, and a {@link SlowConsumerGuard} (shared with
 * {@code tcp}) applies the write timeout and {@code max-pending-bytes}. The read timeout is the
 * hub's: messages reach it through {@link Connection#onFrame}, pings and pongs through
 * {@link Connection#onActivity()} (Netty's protocol handler behind this one answers the pings).
 *
 * <p>Per idle connection the pipeline holds Netty's frame decoder and encoder, this handler and
 * the protocol handler, which shares one configuration per transport; nothing else.
 */
final class NettyWsConnection extends ChannelInboundHandlerAdapter implements ConAdapter, SlowConsumerGuard.SlowConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(NettyWsConnection.class);

    private final NettyWsServerTransport transport;
    private final Device device;
    private final Channel channel;
    private final SocketAddress remote;
    private volatile Connection connection;
    private volatile boolean closing;
    /** The handshake completed and the transport let it in (it was not stopping). */
    private volatile boolean opened;
    /** The message being joined from fragments is text. Event loop only. */
    private boolean partialText;
    /** Why this side closed; null if the peer closed first. */
    private volatile CloseReason closeReason;
    private CompositeByteBuf partial;
    private ScheduledFuture<?> pings;
    private final SlowConsumerGuard guard;
    /** The inbound rate limit (messages, pings and pongs); null when off. Event loop only. */
    private final InboundRate rate;

    NettyWsConnection(NettyWsServerTransport transport, Device device, Channel channel) {
        this.transport = transport;
        this.device = device;
        this.channel = channel;
        this.remote = channel.remoteAddress();
        WsSettings settings = transport.settings();
        this.guard = new SlowConsumerGuard(channel, settings.highWaterMark(), settings.maxPendingBytes(),
                settings.writeTimeout(transport.context().config()).toNanos(), this);
        this.rate = settings.edge().newInboundRate();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            opened(ctx);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    /** @return true once the handshake completed and the connection was let in */
    boolean isOpened() {
        return opened;
    }

    private void opened(ChannelHandlerContext ctx) {
        opened = true;
        if (transport.refusing()) {
            closeWith(CloseReason.SERVER_SHUTDOWN);
            return;
        }
        HubConfig hub = transport.context().config();
        WsSettings settings = transport.settings();
        long ping = settings.pingInterval(hub).toNanos();
        if (ping > 0) {
            pings = ctx.executor().scheduleAtFixedRate(() -> {
                if (channel.isActive() && !closing) {
                    channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
                }
            }, ping, ping, TimeUnit.NANOSECONDS);
        }
        try {
            connection = transport.context().register(device, this);
        } catch (HubClosedException e) {
            LOG.debug("hub closed while {} connected", device);
            closeWith(CloseReason.SERVER_SHUTDOWN);
        } catch (ConnectionLimitException e) {
            LOG.info("refused {}: {}", device, e.getMessage());
            closeWith(CloseReason.CONNECTION_LIMIT);
        } catch (RuntimeException e) {
            LOG.warn("hub failed to register {}", device, e);
            closeWith(CloseReason.SERVER_ERROR);
        }
        if (!channel.isActive() && connection != null) {
            connection.onClosed(closeReason == null ? CloseReason.PEER_CLOSED : closeReason);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PingWebSocketFrame) {
            if (control((WebSocketFrame) msg)) {
                ctx.fireChannelRead(msg); // the protocol handler answers it
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (!(msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame
                || msg instanceof PongWebSocketFrame)) {
            ctx.fireChannelRead(msg); // close frames: the protocol handler's
            return;
        }
        try {
            if (msg instanceof PongWebSocketFrame) {
                control((WebSocketFrame) msg);
            } else if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                WebSocketFrame frame = (WebSocketFrame) msg;
                boolean text = msg instanceof TextWebSocketFrame;
                if (frame.isFinalFragment()) {
                    message(ByteBufUtil.getBytes(frame.content()), text);
                } else {
                    releasePartial();
                    partial = ctx.alloc().compositeBuffer(64);
                    partialText = text;
                    append(frame);
                }
            } else {
                ContinuationWebSocketFrame frame = (ContinuationWebSocketFrame) msg;
                if (partial == null) {
                    closeWith(CloseReason.PROTOCOL_ERROR);
                    return;
                }
                if (!append(frame)) {
                    return;
                }
                if (frame.isFinalFragment()) {
                    byte[] bytes = ByteBufUtil.getBytes(partial);
                    releasePartial();
                    message(bytes, partialText);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A ping or pong: activity, within the rate limit. @return false if the rate limit closed the connection */
    private boolean control(WebSocketFrame frame) {
        if (!closing && !withinRate(frame.content().readableBytes())) {
            return false;
        }
        Connection c = connection;
        if (c != null && !closing) {
            c.onActivity();
        }
        return true;
    }

    /** A whole message; text must be UTF-8 (RFC 6455 8.1), else the connection closes with 1007. */
    private void message(byte[] bytes, boolean text) {
        if (text && !Utf8.isValid(bytes)) {
            LOG.debug("closing {} from {}: a text message is not valid UTF-8", device, remote);
            abort(CloseReason.INVALID_PAYLOAD);
            return;
        }
        deliver(bytes);
    }

    private boolean append(WebSocketFrame frame) {
        if ((long) partial.readableBytes() + frame.content().readableBytes() > transport.settings().maxMessageSize()) {
            releasePartial();
            LOG.debug("closing {}: fragmented message larger than max-message-size", device);
            closeWith(CloseReason.FRAME_TOO_LARGE);
            return false;
        }
        partial.addComponent(true, frame.content().retain());
        return true;
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    private void deliver(byte[] bytes) {
        Connection c = connection;
        if (c != null && !closing && withinRate(bytes.length)) {
            c.onFrame(bytes);
        }
    }

    /** @return true if a frame of that length is within the rate limit; else closes with RATE_LIMITED. Event loop. */
    private boolean withinRate(int length) {
        if (rate == null || rate.tryAcquire(length)) {
            return true;
        }
        if (!closing) {
            LOG.info("closing {} from {}: inbound rate limit exceeded ({})", device, remote,
                    transport.settings().edge().describeRateLimit());
        }
        abort(CloseReason.RATE_LIMITED);
        return false;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        guard.writabilityChanged();
        super.channelWritabilityChanged(ctx);
    }

    /**
     * The guard's verdict: on the event loop (write timeout) or the writing thread
     * (max-pending-bytes). Aborts: the close frame 4006 reaches a peer whose buffers still take it.
     */
    @Override
    public void slowConsumer(String why) {
        if (closeReason == null) {
            LOG.info("closing slow consumer {} from {}: {}", device, remote, why);
        }
        abort(CloseReason.SLOW_CONSUMER);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        releasePartial();
        if (pings != null) {
            pings.cancel(false);
        }
        guard.stop();
        Connection c = connection;
        if (c != null) {
            CloseReason r = closeReason;
            c.onClosed(r == null ? CloseReason.PEER_CLOSED : r);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection of {} failed: {}", device, cause.toString());
        closeNow(reasonOf(cause));
    }

    /** @return the close reason for an exception of the pipeline (Netty's decoder already sent its close frame) */
    static CloseReason reasonOf(Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            int code = ((CorruptedWebSocketFrameException) cause).closeStatus().code();
            if (code == CloseReason.FRAME_TOO_LARGE.code()) {
                return CloseReason.FRAME_TOO_LARGE;
            }
            if (code == CloseReason.INVALID_PAYLOAD.code()) {
                return CloseReason.INVALID_PAYLOAD;
            }
            return CloseReason.PROTOCOL_ERROR;
        }
        return cause instanceof java.io.IOException ? CloseReason.IO_ERROR : CloseReason.SERVER_ERROR;
    }

    /** Closes the TCP connection at once, recording why. Any thread. */
    private void closeNow(CloseReason reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        closing = true;
        channel.close();
    }

    @Override
    public CompletionStage<Void> write(byte[] frame) {
        return WriteStage.write(this, frame);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Netty's write future tells the listener, on the event loop (at once, on the calling
     * thread, for a connection that is closed or over {@code max-pending-bytes}).
     */
    @Override
    public void write(byte[] frame, WriteListener listener) {
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(listener, "listener");
        if (closing || !channel.isActive()) {
            listener.writeCompleted(new TokException("connection of " + device.uid() + " is closed"));
            return;
        }
        int size = wireSize(frame.length);
        if (!guard.reserve(size)) {
            listener.writeCompleted(new TokException("connection of " + device.uid()
                    + " is closed: slow consumer (max-pending-bytes " + guard.maxPendingBytes() + " exceeded)"));
            return;
        }
        WebSocketFrame f = transport.settings().binary() || !Utf8.isValid(frame)
                ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame))
                : new TextWebSocketFrame(Unpooled.wrappedBuffer(frame));
        channel.writeAndFlush(f).addListener(new Written(device, guard, size, listener));
    }

    /** @return the bytes of an unmasked WebSocket frame with that payload: header and payload */
    static int wireSize(int payload) {
        return payload + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
    }

    /** One write's outcome, from Netty's write future to the write's listener. */
    private static final class Written implements ChannelFutureListener {
        private final Device device;
        private final SlowConsumerGuard guard;
        private final int size;
        private final WriteListener listener;

        Written(Device device, SlowConsumerGuard guard, int size, WriteListener listener) {
            this.device = device;
            this.guard = guard;
            this.size = size;
            this.listener = listener;
        }

        @Override
        public void operationComplete(ChannelFuture future) {
            guard.release(size);
            Throwable cause = future.cause();
            listener.writeCompleted(cause == null ? null : new TokException("write to " + device.uid() + " failed: " + cause, cause));
        }
    }

    @Override
    public void close(CloseReason reason) {
        closeWith(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * Queues the reason's close frame behind what waits, flushes what the socket takes at once
     * and closes the channel without waiting: every write still in Netty's outbound buffer (the
     * close frame too, if the peer does not read) fails at once. Netty's protocol handler drops
     * the close frame if one was sent already. Any thread.
     */
    @Override
    public void abort(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (closeReason == null) {
            closeReason = reason;
        }
        closing = true;
        Runnable abort = () -> {
            if (channel.isActive()) {
                channel.writeAndFlush(new CloseWebSocketFrame(reason.code(), reason.text()), channel.voidPromise());
            }
            channel.close();
        };
        if (channel.eventLoop().inEventLoop()) {
            abort.run();
        } else {
            try {
                channel.eventLoop().execute(abort);
            } catch (RejectedExecutionException e) {
                channel.close();
            }
        }
    }

    /**
     * Sends a close frame after the queued frames; the protocol handler closes the connection
     * when the peer answers. A peer that does not answer (dead, or not reading) is cut off after
     * the close grace (the stop timeout).
     */
    void closeWith(CloseReason reason) {
        if (closing) {
            return;
        }
        closeReason = reason;
        closing = true;
        if (channel.isActive()) {
            CloseWebSocketFrame close = new CloseWebSocketFrame(reason.code(), reason.text());
            channel.writeAndFlush(close);
            long grace = Math.max(100, transport.settings().stopTimeout().toMillis());
            channel.eventLoop().schedule(() -> {
                if (channel.isActive()) {
                    LOG.debug("{} from {} did not answer the close within {} ms: closing", device, remote, grace);
                    channel.close();
                }
            }, grace, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void pauseReading() {
        channel.config().setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        channel.config().setAutoRead(true);
    }

    @Override
    public String transport() {
        return NettyWsProvider.NAME;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "netty-ws connection of " + device + " from " + remote;
    }
}
