package dev.tok.transport.jetty;

import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.spi.TransportContext;
import dev.tok.transport.jetty.internal.JettyWsConnection;
import dev.tok.transport.jetty.internal.JettyWsCore;
import dev.tok.transport.support.EdgeGuard;
import dev.tok.transport.support.Handshakes;
import dev.tok.transport.support.Origins;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.WsSettings;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.ExtensionConfig;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The Jetty handler that turns upgrade requests at the configured path into tok connections:
 * origin check, authentication (asynchronous, answered with 401/403 before any upgrade), then
 * the upgrade on Jetty's core WebSocket layer, whose frame handler is the tok connection itself.
 * What the connection needs of the upgrade request (device, remote address, edge ticket) is read
 * before it; nothing keeps the request or the response afterwards. Other requests are passed on
 * ({@code false}).
 */
final class MountHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(MountHandler.class);

    private final JettyWsCore core;
    private final Handshaker handshaker = Handshaker.newInstance();
    private volatile WebSocketComponents components;

    MountHandler(JettyWsCore core) {
        super(InvocationType.NON_BLOCKING);
        this.core = core;
    }

    @Override
    protected void doStart() throws Exception {
        components = WebSocketServerComponents.ensureWebSocketComponents(getServer());
        super.doStart();
    }

    /**
     * Answers a refused upgrade with {@code status} and closes the connection after it, so that a
     * refused client cannot keep the connection for another, trickled request.
     */
    private static void refuse(Request request, Response response, Callback callback, int status, String message) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        Response.writeError(request, response, callback, status, message);
    }

    private static void refuse(Request request, Response response, Callback callback, int status) {
        refuse(request, response, callback, status, null);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        WsSettings settings = core.settings();
        if (!settings.path().equals(Request.getPathInContext(request))) {
            return false;
        }
        if (!isUpgrade(request)) {
            return false;
        }
        // The request head arrived within the handshake deadline: from here on the hub's auth
        // timeout bounds the authenticator, and a refusal ends the connection.
        HandshakeDeadline.requestArrived(request);
        TransportContext ctx = core.context();
        if (ctx == null || core.refusing()) {
            refuse(request, response, callback, 503, "tok is not running");
            return true;
        }
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        EdgeGuard guard = core.guard();
        EdgeGuard.Ticket ticket = guard.admit(remote);
        if (ticket.refusal() != null) {
            LOG.atLevel(guard.warnNow() ? Level.WARN : Level.DEBUG).log("jetty-ws refused an upgrade: {}",
                    guard.describe(ticket.refusal(), remote));
            refuse(request, response, callback, ticket.refusal().httpStatus(), ticket.refusal().reason().text());
            return true;
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (!Origins.allowed(origin, host, request.isSecure(), settings.allowedOrigins())) {
            LOG.info("refused WebSocket upgrade from {} with Origin {}: not same-origin and not in allowed-origins",
                    Request.getRemoteAddr(request), origin);
            ticket.release();
            refuse(request, response, callback, 403, "origin not allowed");
            return true;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (HttpField f : request.getHeaders()) {
            headers.add(Map.entry(f.getName(), f.getValue()));
        }
        AuthRequest authRequest = Handshakes.authRequest(core.name(), remote, request.isSecure(), host,
                request.getHttpURI().getPathQuery(), headers, peerCertificates(request));
        Handshakes.authenticate(ctx, authRequest).whenComplete((device, failure) ->
                request.getContext().execute(() -> upgrade(request, response, callback, authRequest, ticket, device, failure)));
        return true;
    }

    /** The TLS client's certificate chain: from the connection's TLS session, whoever configured the connector. */
    private static List<X509Certificate> peerCertificates(Request request) {
        if (!request.isSecure()) {
            return List.of();
        }
        EndPoint.SslSessionData tls = request.getConnectionMetaData().getConnection().getEndPoint().getSslSessionData();
        return tls == null ? List.of() : ServerTls.peerCertificates(tls.sslSession());
    }

    private void upgrade(Request request, Response response, Callback callback, AuthRequest authRequest,
            EdgeGuard.Ticket ticket, Device device, Throwable failure) {
        boolean handedOver = false;
        try {
            if (failure != null) {
                Handshakes.Rejection rejection = Handshakes.rejection(failure);
                LOG.atLevel(rejection.unexpected() ? Level.WARN : Level.DEBUG).setCause(rejection.cause())
                        .log("refused {}: {}", authRequest, rejection.reason());
                long ban = core.guard().authenticationFailed(authRequest.remoteAddress(), failure);
                if (ban > 0) {
                    LOG.info("jetty-ws bans {} for {} ms: auth-failure-limit ({}) reached", authRequest.remoteAddress(), ban,
                            core.settings().edge().authFailureLimit());
                }
                refuse(request, response, callback, rejection.status());
                return;
            }
            if (core.refusing()) {
                refuse(request, response, callback, 503, "tok is stopping");
                return;
            }
            ticket.authenticated();
            JettyWsConnection connection = core.newConnection(device, authRequest.remoteAddress(), ticket);
            boolean upgraded = handshaker.upgradeRequest(new Negotiator(connection, core.settings().deflate()),
                    withoutQuery(request), response, callback, components, null);
            if (!upgraded) {
                refuse(request, response, callback, 400, "WebSocket upgrade failed");
            }
            handedOver = upgraded; // from here on the connection releases the ticket when it closes
        } catch (RuntimeException e) {
            LOG.warn("WebSocket upgrade of {} failed", authRequest, e);
            callback.failed(e);
        } finally {
            if (!handedOver) {
                ticket.release();
            }
        }
    }

    /**
     * The request as Jetty's handshake sees it: without its query. Jetty's session keeps the
     * request URI and its query parameters for the connection's lifetime; tok reads them before
     * the upgrade (the authenticator had them) and needs neither afterwards, and a token in the
     * query should not stay in memory.
     */
    private static Request withoutQuery(Request request) {
        HttpURI uri = request.getHttpURI();
        if (uri.getQuery() == null) {
            return request;
        }
        HttpURI bare = HttpURI.build(uri).query(null).asImmutable();
        return new Request.Wrapper(request) {
            @Override
            public HttpURI getHttpURI() {
                return bare;
            }
        };
    }

    private static boolean isUpgrade(Request request) {
        if (!HttpMethod.GET.is(request.getMethod())) {
            return false;
        }
        for (HttpField f : request.getHeaders()) {
            if (f.getHeader() == HttpHeader.UPGRADE && f.getValue().toLowerCase(java.util.Locale.ROOT).contains("websocket")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands Jetty the connection as the frame handler of one upgrade and configures its session;
     * lives only during the upgrade.
     */
    private static final class Negotiator implements WebSocketNegotiator {
        private final JettyWsConnection connection;
        private final boolean deflate;

        Negotiator(JettyWsConnection connection, boolean deflate) {
            this.connection = connection;
            this.deflate = deflate;
        }

        @Override
        public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
            List<ExtensionConfig> accepted = new ArrayList<>(1);
            if (deflate) {
                for (ExtensionConfig e : response.getExtensions()) {
                    if (e.getName().equals("permessage-deflate")) {
                        accepted.add(e);
                        break;
                    }
                }
            }
            response.setExtensions(accepted);
            return connection;
        }

        @Override
        public void customize(Configuration configuration) {
            connection.configure(configuration);
        }
    }
}
