package dev.tok.transport.tcp.internal;

import dev.tok.api.TokServer;
import dev.tok.testkit.EdgeLimits;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.TransportClient;
import dev.tok.testkit.TransportCompatibilityKit;
import dev.tok.testkit.TransportLimits;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the shared transport compatibility kit against {@code tcp}, with 1,000 concurrent connections
 * and the edge cases (connection limits, rate limits, auth-failure bans).
 */
class TcpTransportCompatibilityTest extends TransportCompatibilityKit {

    /** The kit's limits as tcp settings. */
    static Map<String, String> settings(TransportLimits limits) {
        return Map.of("host", "127.0.0.1", "port", "0",
                "max-frame-length", String.valueOf(limits.maxFrameSize()),
                "high-water-mark", String.valueOf(limits.highWaterMark()),
                "max-pending-bytes", String.valueOf(limits.maxPendingBytes()),
                "shutdown-grace-period", limits.stopGracePeriod().toMillis() + "ms");
    }

    /**
     * The ordinary cases, with the per-address limits off: every client of the kit comes from
     * 127.0.0.1, and 1,000 concurrent logins pass the defaults (256 per address, 32 of them
     * authenticating). Those limits have edge cases of their own.
     */
    @Override
    protected void addTransport(TokServer.Builder builder, TransportLimits limits) {
        Map<String, String> all = new HashMap<>(settings(limits));
        all.put("max-connections-per-ip", "0");
        all.put("max-unauthenticated-per-ip", "0");
        builder.transport("tcp", all);
    }

    /** The kit's edge cases: tcp has the limits of every built-in transport, with the same keys. */
    @Override
    protected void addTransport(TokServer.Builder builder, TransportLimits limits, EdgeLimits edge) {
        Map<String, String> all = new HashMap<>(edge.settings());
        all.putAll(settings(limits));
        builder.transport("tcp", all);
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
