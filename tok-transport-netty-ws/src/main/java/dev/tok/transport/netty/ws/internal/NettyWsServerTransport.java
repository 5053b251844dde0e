package dev.tok.transport.netty.ws.internal;

import dev.tok.api.CloseReason;
import dev.tok.api.TokException;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import dev.tok.transport.support.BindFailure;
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.netty.NativeEpoll;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.WsSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code netty-ws} transport: one server channel, connections authenticated from their HTTP
 * upgrade request before the WebSocket handshake.
 */
final class NettyWsServerTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(NettyWsServerTransport.class);

    private final WsSettings settings;
    private final int ioThreads;
    /** Connection limits and auth-failure bans, shared with the other built-in transports. */
    private final EdgeGuard guard;
    private final ChannelGroup all = new DefaultChannelGroup("tok-netty-ws-all", GlobalEventExecutor.INSTANCE);
    private volatile TransportContext context;
    private volatile WebSocketServerProtocolConfig protocolConfig;
    private volatile boolean stopping;
    private EventLoopGroup group;
    private Channel server;
    private CompletableFuture<Void> stopped;

    NettyWsServerTransport(WsSettings settings, int ioThreads) {
        this.settings = settings;
        this.ioThreads = ioThreads;
        this.guard = settings.edge().newGuard();
    }

    @Override
    public String name() {
        return NettyWsProvider.NAME;
    }

    int ioThreads() {
        return ioThreads;
    }

    WsSettings settings() {
        return settings;
    }

    EdgeGuard guard() {
        return guard;
    }

    TransportContext context() {
        return context;
    }

    boolean refusing() {
        return stopping;
    }

    /** @return the protocol handler's configuration, one for every connection; after start */
    WebSocketServerProtocolConfig protocolConfig() {
        return protocolConfig;
    }

    private static WebSocketServerProtocolConfig protocolConfig(WsSettings settings, TransportContext context) {
        long grace = Math.max(100, settings.stopTimeout().toMillis());
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(settings.path())
                .checkStartsWith(true)
                .handshakeTimeoutMillis(context.config().authTimeout().toMillis())
                .forceCloseTimeoutMillis(grace)
                .handleCloseFrames(true)
                .sendCloseFrame(null)
                .dropPongFrames(false)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(settings.maxMessageSize())
                        .allowExtensions(settings.deflate())
                        .allowMaskMismatch(false)
                        .expectMaskedFrames(true)
                        .closeOnProtocolViolation(true)
                        // NettyWsConnection checks whole text messages (no validator handler per connection)
                        .withUTF8Validator(false)
                        .build())
                .build();
    }

    @Override
    public synchronized CompletionStage<SocketAddress> start(TransportContext ctx) {
        if (group != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("transport 'netty-ws' already started; a Transport starts once"));
        }
        SslContext ssl = null;
        if (settings.tls().isPresent()) {
            ServerTls tls = settings.tls().get();
            SslContextBuilder builder = SslContextBuilder.forServer(tls.keyManagerFactory()).sslProvider(SslProvider.JDK)
                    .protocols(ServerTls.PROTOCOLS).clientAuth(ClientAuth.valueOf(tls.clientAuth().name()));
            tls.trustManagerFactory().ifPresent(builder::trustManager);
            try {
                ssl = builder.build();
            } catch (SSLException e) {
                return CompletableFuture.failedFuture(new TokException("transport 'netty-ws': TLS setup failed: " + e.getMessage(), e));
            }
        }
        boolean epoll = NativeEpoll.available();
        LOG.info(NativeEpoll.describe("netty-ws"));
        IoHandlerFactory io;
        Class<? extends ServerChannel> channelType;
        if (epoll) {
            io = EpollIoHandler.newFactory();
            channelType = EpollServerSocketChannel.class;
        } else {
            io = NioIoHandler.newFactory();
            channelType = NioServerSocketChannel.class;
        }
        group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("tok-netty-ws", true), io);
        protocolConfig = protocolConfig(settings, ctx);
        context = ctx;
        SslContext sslContext = ssl;
        long hwm = settings.highWaterMark();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark((int) Math.min(Integer.MAX_VALUE, Math.max(1, hwm / 2)),
                                (int) Math.min(Integer.MAX_VALUE, hwm)))
                // one allocator for every connection (Netty would create one per channel)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (stopping) {
                            ch.close();
                            return;
                        }
                        all.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        if (sslContext != null) {
                            p.addLast("ssl", sslContext.newHandler(ch.alloc()));
                        }
                        p.addLast("http", new HttpServerCodec());
                        p.addLast("aggregate", new HttpObjectAggregator(8192));
                        p.addLast("handshake", new HandshakeHandler(NettyWsServerTransport.this, sslContext != null));
                    }
                });
        CompletableFuture<SocketAddress> bound = new CompletableFuture<>();
        ChannelFuture f = b.bind(settings.host(), settings.port());
        f.addListener((ChannelFuture cf) -> {
            if (cf.isSuccess()) {
                synchronized (NettyWsServerTransport.this) {
                    server = cf.channel();
                }
                SocketAddress a = cf.channel().localAddress();
                LOG.info("netty-ws listening on {} path {} ({}, {}, ping interval {}, max-pending-bytes {}, {})", a,
                        settings.path(), sslContext != null ? "wss" : "ws", epoll ? "epoll" : "nio",
                        settings.pingInterval(ctx.config()), settings.maxPendingBytes(), settings.edge().describe());
                bound.complete(a);
            } else {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                bound.completeExceptionally(BindFailure.of("netty-ws", settings.host(), settings.port(), cf.cause()));
            }
        });
        return bound;
    }

    /**
     * Stops accepting, sends close 1001 to every WebSocket connection, waits for them up to the
     * stop timeout, closes what is left and releases the event loops.
     */
    @Override
    public synchronized CompletionStage<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopped = new CompletableFuture<>();
        stopping = true;
        if (group == null) {
            stopped.complete(null);
            return stopped;
        }
        EventLoopGroup g = group;
        Channel s = server;
        CompletableFuture<Void> unbound = new CompletableFuture<>();
        if (s != null) {
            s.close().addListener(x -> unbound.complete(null));
        } else {
            unbound.complete(null);
        }
        unbound.thenRun(() -> {
            for (Channel ch : all) {
                NettyWsConnection c = ch.pipeline().get(NettyWsConnection.class);
                if (c != null && c.isOpened()) {
                    c.closeWith(CloseReason.SERVER_SHUTDOWN);
                } else {
                    ch.close(); // not upgraded yet
                }
            }
            CompletableFuture<Void> drained = new CompletableFuture<>();
            all.newCloseFuture().addListener(x -> drained.complete(null));
            drained.completeOnTimeout(null, settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(() -> all.close().addListener(x -> g.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                            .addListener(y -> stopped.complete(null))));
        });
        return stopped;
    }
}
