package dev.tok.transport.jetty;

import dev.tok.api.TokServer;
import dev.tok.testkit.WebSocketTransportCompatibilityKit;
import java.util.Map;

/** Runs the shared WebSocket compatibility kit against the standalone {@code jetty-ws} transport. */
class JettyWsCompatibilityTest extends WebSocketTransportCompatibilityKit {

    @Override
    protected void addTransport(TokServer.Builder builder, Map<String, String> settings) {
        builder.transport("jetty-ws", settings);
    }
}
