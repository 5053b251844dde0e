/**
 * tok's WebSocket transport on Jetty 12 (core handler API, no servlet container), named
 * {@code jetty-ws}: standalone with its own embedded server, or mounted into an application's
 * Jetty {@code Server} through {@link dev.tok.transport.jetty.JettyWebSocketMount}.
 *
 * @provides dev.tok.api.spi.TransportProvider the {@code jetty-ws} transport
 */
module dev.tok.transport.jetty {
    requires dev.tok.api;
    requires dev.tok.transport.support;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.websocket.server;
    requires org.slf4j;

    // Exported to everyone for two reasons: JettyWebSocketMount is the public entry point for
    // mounting into an application's Jetty Server, and Jetty 12 invokes WebSocket endpoint methods
    // through MethodHandles.publicLookup(), which only reaches public classes in packages exported
    // unconditionally (a qualified export fails at run time with "Unable to access method").
    exports dev.tok.transport.jetty;

    provides dev.tok.api.spi.TransportProvider with dev.tok.transport.jetty.internal.JettyWsProvider;
}
