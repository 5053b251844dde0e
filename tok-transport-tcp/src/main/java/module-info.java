/**
 * The {@code tcp} transport of tok: length-prefixed frames (4-byte unsigned big-endian length,
 * then the payload) over TCP or TLS, byte-compatible with Go tok's TCP listener, on Netty 4.2.
 * Runs on the native epoll transport on Linux when it is available and on NIO otherwise.
 *
 * <p>Applications select it by name through {@code dev.tok.api.TokServer}, with string settings
 * or the typed ones of {@link dev.tok.transport.tcp.TcpTransport#settings()}. It exports that
 * one package, which holds only the typed settings; the implementation is in a package that is
 * not exported.
 *
 * <p>On the module path the native epoll library is a separate module that nothing requires;
 * add {@code --add-modules io.netty.transport.epoll.linux.x86_64} (or {@code ..aarch_64}) to
 * use epoll, otherwise the transport logs why it runs on NIO.
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

    // The typed settings (TcpTransport.settings()) and nothing else: the implementation lives in
    // dev.tok.transport.tcp.internal, which is not exported.
    exports dev.tok.transport.tcp;

    provides dev.tok.api.spi.TransportProvider with dev.tok.transport.tcp.internal.TcpTransportProvider;
}
