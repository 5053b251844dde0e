/**
 * Mounting tok's {@code jetty-ws} WebSocket transport into an application's Jetty 12 server:
 * see {@link dev.tok.transport.jetty.JettyWebSocketMount}. Applications that let tok run its own
 * server select the transport by name ({@code "jetty-ws"}) and never touch this package.
 */
package dev.tok.transport.jetty;
