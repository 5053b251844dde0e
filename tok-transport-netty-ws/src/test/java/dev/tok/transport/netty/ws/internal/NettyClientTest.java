package dev.tok.transport.netty.ws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** netty-ws against Netty's own WebSocket client: permessage-deflate both ways, fragments. */
class NettyClientTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private TokServer start(Map<String, String> settings) {
        HubConfig config = HubConfig.builder()
                .actor((connection, payload) -> received.add(connection.device().uid() + ":" + new String(payload, StandardCharsets.UTF_8)))
                .authenticator(r -> CompletableFuture.completedFuture(Device.of(r.queryParameter("uid").orElse("anon"), "d")))
                .readTimeout(Duration.ofMinutes(1))
                .build();
        return TokServer.builder(config).transport("netty-ws", settings).build().start();
    }

    @Test
    @DisplayName("Netty's client negotiates permessage-deflate; fragments are joined, large messages arrive intact")
    void nettyClient() throws Exception {
        try (TokServer tok = start(Map.of("host", "127.0.0.1", "port", "0", "permessage-deflate", "true"))) {
            int port = ((InetSocketAddress) tok.listeners().get(0).address()).getPort();
            BlockingQueue<String> texts = new LinkedBlockingQueue<>();
            CompletableFuture<Void> handshake = new CompletableFuture<>();
            URI uri = URI.create("ws://127.0.0.1:" + port + "/ws?uid=nina");
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                    WebSocketClientCompressionHandler.INSTANCE,
                                    new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                            uri, WebSocketVersion.V13, null, true, new DefaultHttpHeaders(), 1 << 20)),
                                    new Collector(texts, handshake));
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
            handshake.get(10, TimeUnit.SECONDS);
            assertThat(ch.pipeline().names()).anyMatch(n -> n.toLowerCase().contains("deflate"));
            await().atMost(Duration.ofSeconds(10)).until(() -> tok.hub().isOnline("nina"));

            ch.write(new TextWebSocketFrame(false, 0, "netty "));
            ch.writeAndFlush(new ContinuationWebSocketFrame(true, 0, "fragments")).sync();
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("nina:netty fragments");

            String big = "tok ".repeat(50_000);
            tok.hub().send("nina", big.getBytes(StandardCharsets.UTF_8), Duration.ZERO).toCompletableFuture().get(10, TimeUnit.SECONDS);
            String got = texts.poll(10, TimeUnit.SECONDS);
            assertThat(got).isNotNull().hasSize(big.length());
            assertThat(got.equals(big)).as("the 200 KB message arrived intact").isTrue();
            ch.close().sync();
            await().atMost(Duration.ofSeconds(10)).until(() -> !tok.hub().isOnline("nina"));
        }
    }

    @Test
    @DisplayName("a text message that is not UTF-8 closes the connection with 1007, whole or in fragments; binary may be anything")
    void invalidUtf8Text() throws Exception {
        try (TokServer tok = start(Map.of("host", "127.0.0.1", "port", "0"))) {
            int port = ((InetSocketAddress) tok.listeners().get(0).address()).getPort();
            byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28};

            BlockingQueue<Integer> closes = new LinkedBlockingQueue<>();
            Channel whole = rawClient(port, "ivan", closes);
            await().atMost(Duration.ofSeconds(10)).until(() -> tok.hub().isOnline("ivan"));
            whole.writeAndFlush(new TextWebSocketFrame("fine")).sync();
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("ivan:fine");
            whole.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(notUtf8))).sync();
            assertThat(received.poll(10, TimeUnit.SECONDS)).as("binary is not checked").isNotNull();
            whole.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(notUtf8))).sync();
            assertThat(closes.poll(10, TimeUnit.SECONDS)).isEqualTo(1007);
            await().atMost(Duration.ofSeconds(10)).until(() -> !tok.hub().isOnline("ivan"));

            Channel fragments = rawClient(port, "fred", closes);
            await().atMost(Duration.ofSeconds(10)).until(() -> tok.hub().isOnline("fred"));
            fragments.write(new TextWebSocketFrame(false, 0, "ok "));
            fragments.writeAndFlush(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(notUtf8))).sync();
            assertThat(closes.poll(10, TimeUnit.SECONDS)).isEqualTo(1007);
            await().atMost(Duration.ofSeconds(10)).until(() -> !tok.hub().isOnline("fred"));
            assertThat(received).isEmpty();
        }
    }

    /** A client that leaves close frames to the test: their status codes go to {@code closes}. */
    private Channel rawClient(int port, String uid, BlockingQueue<Integer> closes) throws Exception {
        CompletableFuture<Void> handshake = new CompletableFuture<>();
        URI uri = URI.create("ws://127.0.0.1:" + port + "/ws?uid=" + uid);
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                        uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 20), false),
                                new SimpleChannelInboundHandler<WebSocketFrame>() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                                        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                            handshake.complete(null);
                                        }
                                        super.userEventTriggered(ctx, evt);
                                    }

                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                                        if (frame instanceof CloseWebSocketFrame) {
                                            closes.add(((CloseWebSocketFrame) frame).statusCode());
                                        }
                                    }
                                });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        handshake.get(10, TimeUnit.SECONDS);
        return ch;
    }

    @Test
    @DisplayName("netty-ws accepts io-threads and refuses a negative value, naming it")
    void ioThreads() {
        try (TokServer tok = start(Map.of("host", "127.0.0.1", "port", "0", "io-threads", "1"))) {
            assertThat(tok.listeners()).hasSize(1);
        }
        assertThatThrownBy(() -> start(Map.of("io-threads", "-1")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("io-threads");
    }

    /** Collects whole text messages (joining continuation frames) and signals the handshake. */
    private static final class Collector extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final BlockingQueue<String> texts;
        private final CompletableFuture<Void> handshake;
        private final StringBuilder partial = new StringBuilder();

        Collector(BlockingQueue<String> texts, CompletableFuture<Void> handshake) {
            this.texts = texts;
            this.handshake = handshake;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                handshake.complete(null);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                partial.append(frame.content().toString(StandardCharsets.UTF_8));
                if (frame.isFinalFragment()) {
                    texts.add(partial.toString());
                    partial.setLength(0);
                }
            }
        }
    }
}
