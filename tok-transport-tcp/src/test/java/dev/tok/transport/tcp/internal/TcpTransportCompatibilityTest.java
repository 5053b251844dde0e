package dev.tok.transport.tcp.internal;

import dev.tok.api.TokServer;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.TransportClient;
import dev.tok.testkit.TransportCompatibilityKit;
import dev.tok.testkit.TransportLimits;
import java.util.Map;

/** Runs the shared transport compatibility kit against {@code tcp}, with 1,000 concurrent connections. */
class TcpTransportCompatibilityTest extends TransportCompatibilityKit {

    @Override
    protected void addTransport(TokServer.Builder builder, TransportLimits limits) {
        builder.transport("tcp", Map.of("host", "127.0.0.1", "port", "0",
                "max-frame-length", String.valueOf(limits.maxFrameSize()),
                "high-water-mark", String.valueOf(limits.highWaterMark()),
                "max-pending-bytes", String.valueOf(limits.maxPendingBytes()),
                "shutdown-grace-period", limits.stopGracePeriod().toMillis() + "ms"));
    }

    @Override
    protected void addTransportOnPort(TokServer.Builder builder, int port) {
        builder.transport("tcp", Map.of("host", "127.0.0.1", "port", String.valueOf(port)));
    }

    @Override
    protected TransportClient client() {
        return new FramedSocketClient();
    }

    @Override
    protected int connectionCount() {
        return 1000;
    }
}
