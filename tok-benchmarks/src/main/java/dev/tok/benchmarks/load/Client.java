package dev.tok.benchmarks.load;

import dev.tok.benchmarks.util.NettyIo;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The load tool's client side: many connections on a few Netty event loops, speaking the
 * example protocol over TCP frames (4-byte big-endian length + payload) or WebSocket text
 * messages ({@code /ws?token=...}).
 */
final class Client implements AutoCloseable {

    /** Receives every inbound payload, on the connection's event loop. */
    interface Listener {
        void onFrame(Conn conn, byte[] payload, long arrivalNanos);

        default void onClose(Conn conn) {
        }
    }

    private final EventLoopGroup group;
    private final String transport;
    private final List<InetSocketAddress> servers;

    /**
     * @param transport {@code tcp}, {@code jetty-ws} or {@code netty-ws}
     * @param server    where the server listens for that transport
     * @param threads   client event loops
     */
    Client(String transport, InetSocketAddress server, int threads) {
        this(transport, List.of(server), threads);
    }

    /**
     * A client of several servers (the nodes of a cluster) on the same event loops.
     *
     * @param transport {@code tcp}, {@code jetty-ws} or {@code netty-ws}
     * @param servers   where each node listens for that transport; node i is {@code servers.get(i)}
     * @param threads   client event loops
     */
    Client(String transport, List<InetSocketAddress> servers, int threads) {
        this.transport = transport;
        this.servers = List.copyOf(servers);
        this.group = NettyIo.group(threads, "load-client");
    }

    /** @return how many servers (nodes) this client connects to */
    int nodes() {
        return servers.size();
    }

    boolean webSocket() {
        return !transport.equals("tcp");
    }

    /**
     * Connects and authenticates.
     *
     * @param token    the auth token ({@code uid} or {@code uid/device})
     * @param listener receives frames
     * @return completes once the TCP auth frame was written or the WebSocket upgrade succeeded
     */
    CompletableFuture<Conn> connect(String token, Listener listener) {
        return connect(token, listener, 0);
    }

    /**
     * Connects to one node and authenticates.
     *
     * @param token    the auth token ({@code uid} or {@code uid/device})
     * @param listener receives frames
     * @param node     which server, an index into the servers given at construction
     * @return completes once the TCP auth frame was written or the WebSocket upgrade succeeded
     */
    CompletableFuture<Conn> connect(String token, Listener listener, int node) {
        InetSocketAddress server = servers.get(node);
        CompletableFuture<Conn> ready = new CompletableFuture<>();
        Conn conn = new Conn(token, listener);
        Bootstrap b = new Bootstrap().group(group).channel(NettyIo.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (webSocket()) {
                            URI uri = URI.create("ws://" + server.getHostString() + ":" + server.getPort() + "/ws?token=" + token);
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                    new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(uri,
                                            WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 4 << 20)),
                                    new Inbound(conn, ready));
                        } else {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(4 << 20, 0, 4, 0, 4), new Inbound(conn, ready));
                        }
                    }
                });
        b.connect(server).addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
                return;
            }
            Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
            conn.channel = ch;
            ch.closeFuture().addListener(x -> {
                ready.completeExceptionally(new IllegalStateException("connection of " + token + " closed during login"));
                conn.closed = true;
                listener.onClose(conn);
            });
            if (!webSocket()) {
                conn.send(token.getBytes(StandardCharsets.UTF_8));
                ready.complete(conn);
            }
        });
        return ready;
    }

    /**
     * Writes frames grouped per event loop: one task per loop, one flush per connection.
     *
     * @param conns    connections, index-aligned with frames
     * @param frames   payloads
     * @param count    how many entries are used
     */
    static void sendBatch(Conn[] conns, byte[][] frames, int count) {
        Map<EventLoop, List<Integer>> perLoop = new IdentityHashMap<>();
        for (int i = 0; i < count; i++) {
            perLoop.computeIfAbsent(conns[i].channel.eventLoop(), k -> new ArrayList<>()).add(i);
        }
        Conn[] cs = conns.clone();
        byte[][] fs = frames.clone();
        perLoop.forEach((loop, idx) -> loop.execute(() -> {
            for (int i : idx) {
                cs[i].write(fs[i]);
            }
            for (int i : idx) {
                cs[i].channel.flush();
            }
        }));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One client connection. */
    final class Conn {
        final String token;
        final Listener listener;
        volatile Channel channel;
        volatile boolean closed;
        /** Free for the scenario: an index, a counter. */
        volatile long mark;
        /** At-least-once: messages received since this connection's last acknowledgement; event loop only. */
        int unacknowledged;

        Conn(String token, Listener listener) {
            this.token = token;
            this.listener = listener;
        }

        /** Writes without flushing; event loop only. */
        void write(byte[] payload) {
            channel.write(encode(payload), channel.voidPromise());
        }

        /** Writes and flushes; any thread. */
        void send(byte[] payload) {
            channel.writeAndFlush(encode(payload), channel.voidPromise());
        }

        private Object encode(byte[] payload) {
            if (webSocket()) {
                return new TextWebSocketFrame(Unpooled.wrappedBuffer(payload));
            }
            ByteBuf buf = channel.alloc().ioBuffer(4 + payload.length);
            buf.writeInt(payload.length).writeBytes(payload);
            return buf;
        }

        void close() {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }

    private final class Inbound extends ChannelInboundHandlerAdapter {
        private final Conn conn;
        private final CompletableFuture<Conn> ready;

        Inbound(Conn conn, CompletableFuture<Conn> ready) {
            this.conn = conn;
            this.ready = ready;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ready.complete(conn);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long now = System.nanoTime();
            ByteBuf content;
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                content = ((io.netty.handler.codec.http.websocketx.WebSocketFrame) msg).content();
            } else if (msg instanceof ByteBuf) {
                content = (ByteBuf) msg;
            } else {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            byte[] payload = new byte[content.readableBytes()];
            content.readBytes(payload);
            io.netty.util.ReferenceCountUtil.release(msg);
            conn.listener.onFrame(conn, payload, now);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ready.completeExceptionally(cause);
            ctx.close();
        }
    }
}
