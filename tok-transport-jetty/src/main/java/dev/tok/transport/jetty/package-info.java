/**
 * The typed settings of tok's {@code jetty-ws} WebSocket transport,
 * {@link dev.tok.transport.jetty.JettyWsTransport#settings()}, and mounting the transport into an
 * application's Jetty 12 server: see {@link dev.tok.transport.jetty.JettyWebSocketMount}.
 * Applications that let tok run its own server select the transport by name ({@code "jetty-ws"}),
 * with string or typed settings.
 */
package dev.tok.transport.jetty;
