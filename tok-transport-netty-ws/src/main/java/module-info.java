/**
 * tok's WebSocket transport on Netty 4.2 (HTTP codec and WebSocket protocol handler, epoll or
 * NIO), named {@code netty-ws}. Applications select it by name, with string settings or the typed
 * ones of {@link dev.tok.transport.netty.ws.NettyWsTransport#settings()}: the one exported package
 * holds only those; the implementation is in a package that is not exported. It requires the
 * native epoll modules, so the module path resolves them without {@code --add-modules}; where
 * epoll is unavailable the transport logs why it runs on NIO.
 *
 * @provides dev.tok.api.spi.TransportProvider the {@code netty-ws} transport
 */
module dev.tok.transport.netty.ws {
    // transitive: the exported NettyWsTransport.Settings implements dev.tok.api.TransportSettings
    requires transitive dev.tok.api;
    requires dev.tok.transport.support;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    // The native epoll libraries: resource-only modules that nothing else requires. Requiring them
    // makes the module path resolve them, so epoll works without --add-modules (they are
    // dependencies of this artifact; on other systems Netty ignores them and NIO is used).
    requires io.netty.transport.epoll.linux.x86_64;
    requires io.netty.transport.epoll.linux.aarch_64;
    requires org.slf4j;

    // The typed settings (NettyWsTransport.settings()) and nothing else: the implementation lives
    // in dev.tok.transport.netty.ws.internal, which is not exported.
    exports dev.tok.transport.netty.ws;

    provides dev.tok.api.spi.TransportProvider with dev.tok.transport.netty.ws.internal.NettyWsProvider;
}
