package dev.tok.transport.netty.ws.internal;

import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.spi.TransportContext;
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.Handshakes;
import dev.tok.transport.support.Origins;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.WsSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The first handler of a connection: checks path, method, Origin, and authenticates the upgrade
 * request through the hub (off the event loop) before any WebSocket handshake. A rejected request
 * gets its HTTP status (401/403, 503) and the connection is closed; an accepted one gets the
 * WebSocket handlers and is handed to {@link WebSocketServerProtocolHandler}.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);

    private final NettyWsServerTransport transport;
    private final boolean secure;
    private ScheduledFuture<?> deadline;
    private boolean busy;
    /** The connection's place in the connection limits, from its upgrade request on; released when the channel closes. */
    private EdgeGuard.Ticket ticket;

    HandshakeHandler(NettyWsServerTransport transport, boolean secure) {
        this.transport = transport;
        this.secure = secure;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        TransportContext c = transport.context();
        long timeout = c == null ? 5000 : c.config().authTimeout().toMillis();
        // The upgrade request must arrive within the auth timeout; once it has, the authentication's
        // own timeout (answered with 503) takes over.
        deadline = ctx.executor().schedule(() -> {
            if (!busy && ctx.pipeline().get(HandshakeHandler.class) != null) {
                LOG.debug("closing {}: no authenticated upgrade within {} ms", ctx.channel().remoteAddress(), timeout);
                ctx.close();
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest) || busy) {
            ReferenceCountUtil.release(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        try {
            handle(ctx, request);
        } catch (RuntimeException e) {
            request.release();
            LOG.warn("upgrade request from {} failed", ctx.channel().remoteAddress(), e);
            respond(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR);
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        WsSettings settings = transport.settings();
        if (!request.decoderResult().isSuccess()) {
            request.release();
            respond(ctx, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).rawPath();
        if (!settings.path().equals(path)) {
            request.release();
            respond(ctx, HttpResponseStatus.NOT_FOUND);
            return;
        }
        if (!HttpMethod.GET.equals(request.method())
                || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            request.release();
            respond(ctx, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        TransportContext context = transport.context();
        if (context == null || transport.refusing()) {
            request.release();
            respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        if (ticket == null) {
            EdgeGuard guard = transport.guard();
            EdgeGuard.Ticket t = guard.admit(ctx.channel().remoteAddress());
            if (t.refusal() != null) {
                LOG.atLevel(guard.warnNow() ? Level.WARN : Level.DEBUG).log("netty-ws refused an upgrade: {}",
                        guard.describe(t.refusal(), ctx.channel().remoteAddress()));
                request.release();
                respond(ctx, HttpResponseStatus.valueOf(t.refusal().httpStatus()));
                return;
            }
            ticket = t;
            ctx.channel().closeFuture().addListener(f -> t.release());
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (!Origins.allowed(origin, host, secure, settings.allowedOrigins())) {
            LOG.info("refused WebSocket upgrade from {} with Origin {}: not same-origin and not in allowed-origins",
                    ctx.channel().remoteAddress(), origin);
            request.release();
            respond(ctx, HttpResponseStatus.FORBIDDEN);
            return;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> h : request.headers()) {
            headers.add(h);
        }
        SocketAddress remote = ctx.channel().remoteAddress();
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        AuthRequest authRequest = Handshakes.authRequest(transport.name(), remote, secure, host, request.uri(), headers,
                tls == null ? List.of() : ServerTls.peerCertificates(tls.engine().getSession()));
        busy = true;
        ctx.channel().config().setAutoRead(false);
        Handshakes.authenticate(context, authRequest).whenComplete((device, failure) ->
                ctx.executor().execute(() -> authenticated(ctx, request, authRequest, device, failure)));
    }

    private void authenticated(ChannelHandlerContext ctx, FullHttpRequest request, AuthRequest authRequest, Device device,
            Throwable failure) {
        if (!ctx.channel().isActive()) {
            request.release();
            return;
        }
        if (failure != null) {
            request.release();
            Handshakes.Rejection rejection = Handshakes.rejection(failure);
            LOG.atLevel(rejection.unexpected() ? Level.WARN : Level.DEBUG).setCause(rejection.cause())
                    .log("refused {}: {}", authRequest, rejection.reason());
            long ban = transport.guard().authenticationFailed(authRequest.remoteAddress(), failure);
            if (ban > 0) {
                LOG.info("netty-ws bans {} for {} ms: auth-failure-limit ({}) reached", authRequest.remoteAddress(), ban,
                        transport.guard().settings().authFailureLimit());
            }
            respond(ctx, HttpResponseStatus.valueOf(rejection.status()));
            return;
        }
        ticket.authenticated();
        if (transport.refusing()) {
            request.release();
            respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        WsSettings settings = transport.settings();
        WebSocketServerProtocolConfig config = transport.protocolConfig();
        ChannelPipeline p = ctx.pipeline();
        if (settings.deflate()) {
            p.addAfter(ctx.name(), "deflate", new WebSocketServerCompressionHandler(0));
            p.addAfter("deflate", "ws", new WebSocketServerProtocolHandler(config));
        } else {
            p.addAfter(ctx.name(), "ws", new WebSocketServerProtocolHandler(config));
        }
        // in front of the protocol handler: it sees pings and pongs as activity and passes pings
        // and close frames on
        p.addBefore("ws", "tok", new NettyWsConnection(transport, device, ctx.channel()));
        ctx.fireChannelRead(request);
        p.remove(this);
        ctx.channel().config().setAutoRead(true);
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status) {
        ByteBuf body = Unpooled.copiedBuffer(status.toString() + "\n", StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=us-ascii");
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(response, body.readableBytes());
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection from {} failed before the upgrade: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
