package dev.tok.benchmarks.baseline;

import dev.tok.benchmarks.protocol.ChatJson;
import dev.tok.benchmarks.util.Args;
import dev.tok.benchmarks.util.NettyIo;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The no-hub baseline: the example chat protocol (TCP framing or WebSocket, same JSON) on plain
 * Netty with a map from uid to channel. What it does per message is the least any server speaking this
 * protocol must do: decode the frame, parse the JSON, look the recipient up, build the
 * {@code msg} frame, write it to the recipient's channel. No hub, no actor pool, no futures
 * beyond Netty's own.
 *
 * <p>Semantics kept from the protocol so that the same load tool drives it: auth by first
 * frame, single sign-on (the older channel gets the {@code bye} frame and is closed), {@code
 * ack} for a send with a {@code cid}, {@code error} {@code "offline"} for ttl 0, a small
 * per-user offline list (at most 10,000 messages, no expiry) delivered at login, {@code online}.
 *
 * <p>Two framings, one server each ({@link Framing}): {@code tcp}, Go tok's 4-byte length prefix,
 * the first frame being the token; {@code ws}, WebSocket at {@code /ws} (Netty's HTTP codec and
 * WebSocket protocol handler, as the {@code netty-ws} transport uses), the token in the upgrade
 * request's {@code ?token=}, every message a text frame (the JSON is UTF-8). Everything after
 * the framing is the same code.
 *
 * <p>Usage: {@code java -cp tok-benchmarks.jar dev.tok.benchmarks.baseline.BaselineServer
 * [--host 127.0.0.1] [--port 9100] [--threads 0] [--transport tcp|ws]}. Prints {@code baseline
 * listening tcp host:port} (or {@code ws}) and {@code baseline ready}; stops on Ctrl-C or SIGTERM.
 */
public final class BaselineServer implements AutoCloseable {

    private static final int MAX_FRAME = 4 * 1024 * 1024;
    private static final int MAX_OFFLINE = 10_000;
    private static final AttributeKey<String> UID = AttributeKey.valueOf("tok.baseline.uid");
    /** The WebSocket path. */
    public static final String WS_PATH = "/ws";

    /** How messages travel. */
    public enum Framing {
        /** 4-byte big-endian length + payload; the first frame is the token. */
        TCP,
        /** WebSocket text frames at {@link #WS_PATH}; the token is the upgrade's {@code ?token=}. */
        WS;

        /** @return its name on the command line and in the {@code listening} line */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final ConcurrentHashMap<String, Channel> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ArrayDeque<byte[]>> offline = new ConcurrentHashMap<>();
    private final Framing framing;
    private final WebSocketServerProtocolConfig wsConfig;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;

    /**
     * Starts the TCP server.
     *
     * @param host    address to bind
     * @param port    port, 0 for any
     * @param threads I/O threads, 0 for Netty's default (twice the CPU count, as tok's tcp transport)
     * @throws InterruptedException if interrupted while binding
     */
    public BaselineServer(String host, int port, int threads) throws InterruptedException {
        this(host, port, threads, Framing.TCP);
    }

    /**
     * Starts the server.
     *
     * @param host    address to bind
     * @param port    port, 0 for any
     * @param threads I/O threads, 0 for Netty's default (twice the CPU count, as tok's transports)
     * @param framing TCP frames or WebSocket
     * @throws InterruptedException if interrupted while binding
     */
    public BaselineServer(String host, int port, int threads, Framing framing) throws InterruptedException {
        this.framing = framing;
        this.wsConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WS_PATH)
                .checkStartsWith(true) // /ws?token=...
                .handleCloseFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(MAX_FRAME).build())
                .build();
        boss = NettyIo.group(1, "baseline-accept");
        workers = NettyIo.group(threads, "baseline-io");
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NettyIo.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (framing == Framing.TCP) {
                            p.addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4), new Handler());
                        } else {
                            p.addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new WebSocketServerProtocolHandler(wsConfig),
                                    new Handler());
                        }
                    }
                });
        ChannelFuture f = b.bind(new InetSocketAddress(host, port)).sync();
        listener = f.channel();
    }

    /** @return how messages travel */
    public Framing framing() {
        return framing;
    }

    /** @return the bound address */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void write(Channel ch, byte[] payload) {
        ch.writeAndFlush(frame(ch, payload), ch.voidPromise());
    }

    /** @return the payload as one message of this server's framing */
    private Object frame(Channel ch, byte[] payload) {
        if (framing == Framing.WS) {
            return new TextWebSocketFrame(Unpooled.wrappedBuffer(payload));
        }
        ByteBuf buf = ch.alloc().ioBuffer(4 + payload.length);
        buf.writeInt(payload.length).writeBytes(payload);
        return buf;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final ChatJson.Request req = new ChatJson.Request();
        private String uid;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in;
            if (msg instanceof ByteBuf) {
                in = (ByteBuf) msg;
            } else if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                in = ((WebSocketFrame) msg).content(); // whole messages: the load tool does not fragment
            } else {
                ReferenceCountUtil.release(msg); // pongs
                return;
            }
            byte[] frame = new byte[in.readableBytes()];
            in.readBytes(frame);
            ReferenceCountUtil.release(msg);
            if (uid == null) {
                login(ctx.channel(), new String(frame, StandardCharsets.UTF_8));
            } else {
                onFrame(ctx.channel(), frame);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                List<String> token = new QueryStringDecoder(((WebSocketServerProtocolHandler.HandshakeComplete) evt).requestUri())
                        .parameters().get("token");
                login(ctx.channel(), token == null ? "" : token.get(0));
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void login(Channel ch, String token) {
            String[] t = ChatJson.token(token);
            if (t == null) {
                ch.close();
                return;
            }
            uid = t[0];
            ch.attr(UID).set(uid);
            Channel old = users.put(uid, ch);
            if (old != null && old != ch) {
                old.writeAndFlush(frame(old, ChatJson.byeSso())).addListener(f -> old.close());
            }
            ArrayDeque<byte[]> waiting = offline.remove(uid);
            if (waiting != null) {
                synchronized (waiting) {
                    for (byte[] m : waiting) {
                        write(ch, m);
                    }
                }
            }
        }

        private void onFrame(Channel ch, byte[] frame) {
            try {
                ChatJson.parse(frame, req);
            } catch (ChatJson.BadFrame e) {
                write(ch, ChatJson.error(null, e.getMessage()));
                return;
            }
            switch (req.type) {
                case "send":
                    send(ch, frame);
                    break;
                case "online":
                    write(ch, ChatJson.online(new TreeSet<>(users.keySet())));
                    break;
                case "pong":
                    break;
                default:
                    write(ch, ChatJson.error(req.cid, "unknown type \"" + req.type + "\""));
            }
        }

        private void send(Channel ch, byte[] frame) {
            String to = req.to;
            String cid = req.cid;
            if (to == null || !ChatJson.UID.matcher(to).matches()) {
                write(ch, ChatJson.error(cid, "\"to\" must be a uid matching [A-Za-z0-9_.-]{1,64}"));
                return;
            }
            if (req.ttl < 0) {
                write(ch, ChatJson.error(cid, "\"ttl\" must not be negative"));
                return;
            }
            byte[] out = ChatJson.msg(uid, frame, req.bodyStart, req.bodyEnd, System.currentTimeMillis());
            Channel rc = users.get(to);
            if (rc != null && rc.isActive()) {
                if (cid == null) {
                    write(rc, out);
                } else {
                    long ttl = req.ttl;
                    rc.writeAndFlush(frame(rc, out)).addListener(f -> {
                        if (f.isSuccess()) {
                            write(ch, ChatJson.ack(cid));
                        } else {
                            store(ch, to, out, ttl, cid);
                        }
                    });
                }
            } else {
                store(ch, to, out, req.ttl, cid);
            }
        }

        private void store(Channel ch, String to, byte[] out, long ttl, String cid) {
            if (ttl == 0) {
                write(ch, ChatJson.error(cid, "offline"));
                return;
            }
            ArrayDeque<byte[]> q = offline.computeIfAbsent(to, k -> new ArrayDeque<>());
            boolean stored;
            synchronized (q) {
                stored = q.size() < MAX_OFFLINE && q.add(out);
            }
            if (!stored) {
                write(ch, ChatJson.error(cid, "queue full"));
                return;
            }
            // the recipient may have logged in meanwhile
            Channel rc = users.get(to);
            if (rc != null && offline.remove(to, q)) {
                synchronized (q) {
                    for (byte[] m : q) {
                        write(rc, m);
                    }
                }
            }
            if (cid != null) {
                write(ch, ChatJson.ack(cid));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (uid != null) {
                users.remove(uid, ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Runs the server until the process is stopped.
     *
     * @param argv {@code --host}, {@code --port}, {@code --threads}, {@code --transport tcp|ws}
     * @throws Exception if it cannot start
     */
    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, "host", "port", "threads", "transport");
        String transport = args.string("transport", "tcp");
        Framing framing;
        switch (transport) {
            case "tcp" -> framing = Framing.TCP;
            case "ws" -> framing = Framing.WS;
            default -> throw new IllegalArgumentException("--transport must be tcp or ws, was '" + transport + "'");
        }
        BaselineServer server = new BaselineServer(args.string("host", "127.0.0.1"), args.integer("port", 9100),
                args.integer("threads", 0), framing);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "baseline-shutdown"));
        InetSocketAddress a = server.address();
        System.out.println("baseline listening " + framing.label() + " " + a.getHostString() + ":" + a.getPort());
        System.out.println("baseline ready");
        System.out.flush();
        stopped.await();
    }
}
