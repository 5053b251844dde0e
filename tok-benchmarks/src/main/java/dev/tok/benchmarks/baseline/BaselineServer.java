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
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The no-hub baseline: the example chat protocol (TCP framing, same JSON) on plain Netty with a
 * map from uid to channel. What it does per message is the least any server speaking this
 * protocol must do: decode the frame, parse the JSON, look the recipient up, build the
 * {@code msg} frame, write it to the recipient's channel. No hub, no actor pool, no futures
 * beyond Netty's own.
 *
 * <p>Semantics kept from the protocol so that the same load tool drives it: auth by first
 * frame, single sign-on (the older channel gets the {@code bye} frame and is closed), {@code
 * ack} for a send with a {@code cid}, {@code error} {@code "offline"} for ttl 0, a small
 * per-user offline list (at most 10,000 messages, no expiry) delivered at login, {@code online}.
 *
 * <p>Usage: {@code java -cp tok-benchmarks.jar dev.tok.benchmarks.baseline.BaselineServer
 * [--host 127.0.0.1] [--port 9100] [--threads 0]}. Prints {@code baseline listening tcp
 * host:port} and {@code baseline ready}; stops on Ctrl-C or SIGTERM.
 */
public final class BaselineServer implements AutoCloseable {

    private static final int MAX_FRAME = 4 * 1024 * 1024;
    private static final int MAX_OFFLINE = 10_000;
    private static final AttributeKey<String> UID = AttributeKey.valueOf("tok.baseline.uid");

    private final ConcurrentHashMap<String, Channel> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ArrayDeque<byte[]>> offline = new ConcurrentHashMap<>();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;

    /**
     * Starts the server.
     *
     * @param host    address to bind
     * @param port    port, 0 for any
     * @param threads I/O threads, 0 for Netty's default (twice the CPU count, as tok's tcp transport)
     * @throws InterruptedException if interrupted while binding
     */
    public BaselineServer(String host, int port, int threads) throws InterruptedException {
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
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4), new Handler());
                    }
                });
        ChannelFuture f = b.bind(new InetSocketAddress(host, port)).sync();
        listener = f.channel();
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

    private static void write(Channel ch, byte[] payload) {
        ByteBuf buf = ch.alloc().ioBuffer(4 + payload.length);
        buf.writeInt(payload.length).writeBytes(payload);
        ch.writeAndFlush(buf, ch.voidPromise());
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final ChatJson.Request req = new ChatJson.Request();
        private String uid;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            byte[] frame = new byte[in.readableBytes()];
            in.readBytes(frame);
            in.release();
            if (uid == null) {
                login(ctx.channel(), frame);
            } else {
                onFrame(ctx.channel(), frame);
            }
        }

        private void login(Channel ch, byte[] frame) {
            String[] t = ChatJson.token(new String(frame, StandardCharsets.UTF_8));
            if (t == null) {
                ch.close();
                return;
            }
            uid = t[0];
            ch.attr(UID).set(uid);
            Channel old = users.put(uid, ch);
            if (old != null && old != ch) {
                ByteBuf bye = old.alloc().ioBuffer();
                byte[] b = ChatJson.byeSso();
                bye.writeInt(b.length).writeBytes(b);
                old.writeAndFlush(bye).addListener(f -> old.close());
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
                    ByteBuf buf = rc.alloc().ioBuffer(4 + out.length);
                    buf.writeInt(out.length).writeBytes(out);
                    long ttl = req.ttl;
                    rc.writeAndFlush(buf).addListener(f -> {
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
     * @param argv {@code --host}, {@code --port}, {@code --threads}
     * @throws Exception if it cannot start
     */
    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, "host", "port", "threads");
        BaselineServer server = new BaselineServer(args.string("host", "127.0.0.1"), args.integer("port", 9100),
                args.integer("threads", 0));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "baseline-shutdown"));
        InetSocketAddress a = server.address();
        System.out.println("baseline listening tcp " + a.getHostString() + ":" + a.getPort());
        System.out.println("baseline ready");
        System.out.flush();
        stopped.await();
    }
}
