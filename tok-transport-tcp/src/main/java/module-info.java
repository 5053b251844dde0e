/**
 * The {@code tcp} transport of tok: length-prefixed frames (4-byte unsigned big-endian length,
 * then the payload) over TCP or TLS, byte-compatible with Go tok's TCP listener, on Netty 4.2.
 * Runs on the native epoll transport on Linux when it is available and on NIO otherwise.
 *
 * <p>Exports nothing: applications select it by name through {@code dev.tok.api.TokServer}.
 * On the module path the native epoll library is a separate module that nothing requires;
 * add {@code --add-modules io.netty.transport.epoll.linux.x86_64} (or {@code ..aarch_64}) to
 * use epoll, otherwise the transport logs why it runs on NIO.
 *
 * @provides dev.tok.api.spi.TransportProvider the provider named {@code tcp}
 */
module dev.tok.transport.tcp {
    requires dev.tok.api;
    requires dev.tok.transport.support;
    requires org.slf4j;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.codec;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;

    provides dev.tok.api.spi.TransportProvider with dev.tok.transport.tcp.TcpTransportProvider;
}
