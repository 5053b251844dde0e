/**
 * tok's WebSocket transport on Jetty 12 (core handler API, no servlet container), named
 * {@code jetty-ws}: standalone with its own embedded server, or mounted into an application's
 * Jetty {@code Server} through {@link dev.tok.transport.jetty.JettyWebSocketMount}. Its typed
 * settings are {@link dev.tok.transport.jetty.JettyWsTransport#settings()}.
 *
 * @provides dev.tok.api.spi.TransportProvider the {@code jetty-ws} transport
 */
module dev.tok.transport.jetty {
    // transitive: the exported JettyWsTransport.Settings implements dev.tok.api.TransportSettings,
    // and JettyWebSocketMount.transport() returns a dev.tok.api.spi.Transport
    requires transitive dev.tok.api;
    requires dev.tok.transport.support;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.websocket.core.common;
    requires org.eclipse.jetty.websocket.core.server;
    requires org.slf4j;

    // Exported to everyone for two reasons: JettyWsTransport.settings() holds the typed settings,
    // and JettyWebSocketMount is the public entry point for mounting into an application's Jetty
    // Server. (Jetty calls the connections through its core FrameHandler interface, implemented in
    // the unexported internal package: no reflective endpoint needs an export.)
    exports dev.tok.transport.jetty;

    provides dev.tok.api.spi.TransportProvider with dev.tok.transport.jetty.internal.JettyWsProvider;
}
