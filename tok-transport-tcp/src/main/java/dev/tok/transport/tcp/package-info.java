/**
 * The {@code tcp} transport: {@link dev.tok.transport.tcp.TcpTransportProvider} and its
 * package-private implementation. Not exported.
 */
package dev.tok.transport.tcp;
