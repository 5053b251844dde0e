/**
 * tok's WebSocket transport on Netty 4.2 (HTTP codec and WebSocket protocol handler, epoll or
 * NIO), named {@code netty-ws}. Exports nothing: applications select it by name.
 *
 * @provides dev.tok.api.spi.TransportProvider the {@code netty-ws} transport
 */
module dev.tok.transport.netty.ws {
    requires dev.tok.api;
    requires dev.tok.transport.support;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires org.slf4j;

    provides dev.tok.api.spi.TransportProvider with dev.tok.transport.netty.ws.NettyWsProvider;
}
