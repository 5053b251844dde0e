/**
 * Typed settings of the {@code tcp} transport: {@link dev.tok.transport.tcp.TcpTransport#settings()},
 * for {@code TokServer.Builder.transport(TransportSettings)}. The transport itself is found by
 * name ({@code tcp}) with {@link java.util.ServiceLoader}; its implementation is not exported.
 */
package dev.tok.transport.tcp;
