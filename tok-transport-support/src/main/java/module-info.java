/**
 * Code shared by tok's built-in transports: TLS key, certificate and trust loading from the
 * {@code tls-*} settings into JDK key and trust managers, the WebSocket settings, the Origin
 * policy, the upgrade-request and authentication-status helpers, UTF-8 validation, the limits at
 * the edge (connection limits, inbound rate limits, bans after failed authentications), and the
 * slow-consumer guard and the epoll-or-NIO log line of the Netty transports.
 *
 * <p>Not an API. Third-party transports depend on {@code dev.tok.api} only.
 */
module dev.tok.transport.support {
    requires transitive dev.tok.api;
    // Optional: only dev.tok.transport.support.netty uses Netty, and only the Netty transports,
    // which require it themselves, use that package; jetty-ws runs without Netty.
    requires static io.netty.transport;
    requires static io.netty.common;
    requires static io.netty.transport.classes.epoll;

    // Internal support for the three built-in transports, not API: a qualified export keeps it
    // out of reach of applications and third-party transports, so it can change in any release
    // without breaking anyone. Add a transport here only if it lives in this repository.
    exports dev.tok.transport.support to dev.tok.transport.tcp, dev.tok.transport.jetty, dev.tok.transport.netty.ws;
    // The slow-consumer guard over Netty's channel, for the two Netty transports only.
    exports dev.tok.transport.support.netty to dev.tok.transport.tcp, dev.tok.transport.netty.ws;
}
