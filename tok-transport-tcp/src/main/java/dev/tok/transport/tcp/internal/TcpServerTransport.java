package dev.tok.transport.tcp.internal;

import dev.tok.api.HubConfig;
import dev.tok.api.TokException;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import dev.tok.transport.support.BindFailure;
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.netty.NativeEpoll;
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
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The {@code tcp} transport: one listening socket, an accept thread and a group of I/O
 * threads, all released by {@link #stop()}.
 */
final class TcpServerTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(TcpServerTransport.class);
    /** How long the event loops may take to terminate once every connection is closed. */
    private static final Duration LOOP_SHUTDOWN = Duration.ofSeconds(2);

    private final TcpSettings settings;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    /** Connection limits and auth-failure bans, shared with the WebSocket transports. */
    private final EdgeGuard guard;

    private volatile TransportContext context;
    private volatile long authTimeoutNanos;
    private volatile long writeTimeoutNanos;
    private volatile EventLoopGroup acceptGroup;
    private volatile EventLoopGroup ioGroup;
    private volatile ChannelFuture bindFuture;

    TcpServerTransport(TcpSettings settings) {
        this.settings = settings;
        this.guard = settings.edge().newGuard();
    }

    @Override
    public String name() {
        return TcpTransportProvider.NAME;
    }

    @Override
    public synchronized CompletionStage<SocketAddress> start(TransportContext ctx) {
        if (!started.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new IllegalStateException("transport 'tcp' already started; a Transport starts once"));
        }
        if (stopping.get()) {
            return CompletableFuture.failedFuture(new TokException("transport 'tcp' was stopped before it started"));
        }
        this.context = ctx;
        HubConfig config = ctx.config();
        this.authTimeoutNanos = settings.authTimeout().orElse(config.authTimeout()).toNanos();
        this.writeTimeoutNanos = settings.writeTimeout().orElse(config.writeTimeout()).toNanos();

        boolean epoll = chooseEpoll();
        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tok-tcp-accept"), handlers);
        ioGroup = new MultiThreadIoEventLoopGroup(settings.workerThreads(), new DefaultThreadFactory("tok-tcp-io"), handlers);

        int high = settings.highWaterMark();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
                // one allocator for every connection (Netty would create one per channel); the
                // per-connection state is its handle
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch);
                    }
                });

        CompletableFuture<SocketAddress> result = new CompletableFuture<>();
        ChannelFuture bind = bootstrap.bind(settings.bindAddress());
        bindFuture = bind;
        bind.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                SocketAddress local = f.channel().localAddress();
                LOG.info("transport 'tcp' listening on {} ({}, max-frame-length {}, {})", local,
                        settings.tlsDescription(), settings.maxFrameLength(), settings.edge().describe());
                result.complete(local);
            } else {
                Throwable cause = f.cause();
                result.completeExceptionally(BindFailure.of("tcp", settings.bindAddress().getHostString(),
                        settings.bindAddress().getPort(), cause));
                shutDownLoops();
            }
        });
        return result;
    }

    private boolean chooseEpoll() {
        if (!settings.nativeTransport()) {
            LOG.info("transport 'tcp' uses NIO: {}=false", TcpSettings.NATIVE_TRANSPORT);
            return false;
        }
        boolean epoll = NativeEpoll.available();
        LOG.info(NativeEpoll.describe("tcp"));
        if (!epoll) {
            LOG.debug("epoll unavailability cause", Epoll.unavailabilityCause());
        }
        return epoll;
    }

    private void accept(Channel ch) {
        if (stopping.get()) {
            ch.close();
            return;
        }
        // before anything is allocated for it: a refused connection is closed at once, unauthenticated
        EdgeGuard.Ticket ticket = guard.admit(ch.remoteAddress());
        if (ticket.refusal() != null) {
            LOG.atLevel(guard.warnNow() ? Level.WARN : Level.DEBUG).log("transport 'tcp' refused a connection: {}",
                    guard.describe(ticket.refusal(), ch.remoteAddress()));
            ch.close();
            return;
        }
        channels.add(ch); // removed, and the ticket released, by the connection's channelInactive
        ChannelPipeline p = ch.pipeline();
        SslContext tls = settings.tls().orElse(null);
        if (tls != null) {
            SslHandler handler = tls.newHandler(ch.alloc());
            handler.setHandshakeTimeout(authTimeoutNanos, TimeUnit.NANOSECONDS);
            p.addLast("tls", handler);
        }
        p.addLast("tok", new TcpConnection(this, ch, ticket)); // the framing too: one handler context per connection
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        if (!stopping.compareAndSet(false, true)) {
            return stopped.copy();
        }
        ChannelFuture bind = bindFuture;
        if (bind == null) {
            stopped.complete(null);
            return stopped.copy();
        }
        if (bind.isDone()) {
            closeEverything(bind); // after a failed bind the loops are gone: no listener would run
        } else {
            bind.addListener(f -> closeEverything(bind));
        }
        return stopped.copy();
    }

    private void closeEverything(ChannelFuture bind) {
        long grace = settings.shutdownGracePeriod().toNanos();
        CompletableFuture<Void> listenerClosed = new CompletableFuture<>();
        if (bind.isSuccess()) {
            bind.channel().close().addListener(f -> listenerClosed.complete(null));
        } else {
            listenerClosed.complete(null);
        }
        listenerClosed.thenCompose(v -> {
            List<Channel> open = new ArrayList<>(channels);
            if (!open.isEmpty()) {
                LOG.info("transport 'tcp' stopping: closing {} connections (grace period {} ms)", open.size(),
                        TimeUnit.NANOSECONDS.toMillis(grace));
            }
            List<CompletableFuture<Void>> closes = new ArrayList<>(open.size());
            for (Channel ch : open) {
                TcpConnection c = ch.pipeline().get(TcpConnection.class);
                if (c != null) {
                    c.closeForStop(grace);
                } else {
                    ch.close();
                }
                closes.add(toStage(ch.closeFuture()));
            }
            // every connection force-closes itself after the grace period; the extra second
            // only bounds the wait should an event loop be stuck
            return CompletableFuture.allOf(closes.toArray(new CompletableFuture<?>[0]))
                    .completeOnTimeout(null, grace + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        }).thenCompose(v -> shutDownLoops()).whenComplete((v, e) -> {
            LOG.info("transport 'tcp' stopped{}", bind.isSuccess() ? " listening on " + bind.channel().localAddress() : "");
            stopped.complete(null);
        });
    }

    private CompletableFuture<Void> shutDownLoops() {
        List<CompletableFuture<Void>> terminated = new ArrayList<>(2);
        for (EventLoopGroup g : new EventLoopGroup[] {acceptGroup, ioGroup}) {
            if (g != null) {
                terminated.add(toStage(g.shutdownGracefully(0, LOOP_SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS)));
            }
        }
        return CompletableFuture.allOf(terminated.toArray(new CompletableFuture<?>[0]))
                .completeOnTimeout(null, LOOP_SHUTDOWN.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }

    private static CompletableFuture<Void> toStage(Future<?> f) {
        CompletableFuture<Void> cf = new CompletableFuture<>();
        f.addListener(x -> cf.complete(null));
        return cf;
    }

    TransportContext context() {
        return context;
    }

    EdgeGuard guard() {
        return guard;
    }

    /**
     * A connection's channel closed: it no longer counts. Event loop of the channel.
     *
     * @param ch     the channel
     * @param ticket its place in the connection limits
     */
    void closed(Channel ch, EdgeGuard.Ticket ticket) {
        channels.remove(ch);
        ticket.release();
    }

    int maxFrameLength() {
        return settings.maxFrameLength();
    }

    long authTimeoutNanos() {
        return authTimeoutNanos;
    }

    long writeTimeoutNanos() {
        return writeTimeoutNanos;
    }

    int highWaterMark() {
        return settings.highWaterMark();
    }

    long maxPendingBytes() {
        return settings.maxPendingBytes();
    }

    /** @return the number of open connections, authenticated or not; for tests */
    int openConnections() {
        return channels.size();
    }
}
