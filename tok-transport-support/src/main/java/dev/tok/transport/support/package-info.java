/**
 * Internal code shared by tok's built-in transports ({@code tcp}, {@code jetty-ws},
 * {@code netty-ws}): {@link dev.tok.transport.support.ServerTls} (the {@code tls-*} settings),
 * {@link dev.tok.transport.support.WsSettings} (the WebSocket settings),
 * {@link dev.tok.transport.support.Origins}, {@link dev.tok.transport.support.Handshakes}, {@link dev.tok.transport.support.BindFailure} and
 * {@link dev.tok.transport.support.Utf8}, and the limits at the edge:
 * {@link dev.tok.transport.support.EdgeSettings}, {@link dev.tok.transport.support.EdgeGuard} and
 * {@link dev.tok.transport.support.InboundRate}. Depends on {@code dev.tok.api} and the JDK only: no
 * Netty, Jetty or logging types. Exported to the built-in transports only; not an API.
 */
package dev.tok.transport.support;
