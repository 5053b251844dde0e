package dev.tok.transport.netty.ws.internal;

import dev.tok.api.TokServer;
import dev.tok.testkit.WebSocketTransportCompatibilityKit;
import java.util.Map;

/** Runs the shared WebSocket compatibility kit against {@code netty-ws}. */
class NettyWsCompatibilityTest extends WebSocketTransportCompatibilityKit {

    @Override
    protected void addTransport(TokServer.Builder builder, Map<String, String> settings) {
        builder.transport("netty-ws", settings);
    }
}
