/**
 * The {@code tcp} transport of tok: length-prefixed frames (4-byte unsigned big-endian length,
 * then the payload) over TCP or TLS, byte-compatible with Go tok's TCP listener, on Netty 4.2.
 * Runs on the native epoll transport on Linux when it is available and on NIO otherwise.
 *
 * <p>Applications select it by name through {@code dev.tok.api.TokServer}, with string settings
 * or the typed ones of {@link dev.tok.transport.tcp.TcpTransport#settings()}. It exports that
 * one package, which holds only the typed settings; the implementation is in a package that is
 * not exported. It requires the native epoll modules (x86_64 and aarch_64), so the module path
 * resolves them without {@code --add-modules}; where epoll is unavailable the transport logs why
 * it runs on NIO.
 *
 * @provides dev.tok.api.spi.TransportProvider the provider named {@code tcp}
 */
module dev.tok.transport.tcp {
    // transitive: the exported TcpTransport.Settings implements dev.tok.api.TransportSettings
    requires transitive dev.tok.api;
    requires dev.tok.transport.support;
    requires org.slf4j;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.codec;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;
    // The native epoll libraries: resource-only modules that nothing else requires. Requiring them
    // makes the module path resolve them, so epoll works without --add-modules (they are
    // dependencies of this artifact; on other systems Netty ignores them and NIO is used).
    requires io.netty.transport.epoll.linux.x86_64;
    requires io.netty.transport.epoll.linux.aarch_64;

    // The typed settings (TcpTransport.settings()) and nothing else: the implementation lives in
    // dev.tok.transport.tcp.internal, which is not exported.
    exports dev.tok.transport.tcp;

    provides dev.tok.api.spi.TransportProvider with dev.tok.transport.tcp.internal.TcpTransportProvider;
}
