/**
 * Typed settings of the {@code netty-ws} transport:
 * {@link dev.tok.transport.netty.ws.NettyWsTransport#settings()}, for
 * {@code TokServer.Builder.transport(TransportSettings)}. The transport itself is found by name
 * ({@code netty-ws}) with {@link java.util.ServiceLoader}; its implementation is not exported.
 */
package dev.tok.transport.netty.ws;
