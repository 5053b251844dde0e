package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.TokServer;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.KitRun;
import dev.tok.testkit.TransportClient;
import dev.tok.testkit.TransportCompatibilityKit;
import dev.tok.testkit.TransportLimits;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult.Status;

/**
 * The kit's edge cases are opt-in: a transport plugin that does not override
 * {@code addTransport(Builder, TransportLimits, EdgeLimits)} (as the third-party {@code unix}
 * example) sees them aborted, reported as skipped, never as passed or failed.
 */
class EdgeCasesAreOptInTest {

    private static final List<String> EDGE_CASES = List.of("maxConnectionsPerIp", "maxUnauthenticatedPerIp", "frameRateLimit",
            "byteRateLimit", "authFailureBan");

    /** A plugin's kit subclass from before the edge cases: only the two abstract methods. */
    static class WithoutEdgeLimits extends TransportCompatibilityKit {
        @Override
        protected void addTransport(TokServer.Builder builder, TransportLimits limits) {
            builder.transport("tcp", TcpTransportCompatibilityTest.settings(limits));
        }

        @Override
        protected TransportClient client() {
            return new FramedSocketClient();
        }
    }

    @Test
    @DisplayName("without the override every edge case is aborted; an ordinary case still passes")
    void abortedWithoutOverride() {
        List<String> run = new java.util.ArrayList<>(EDGE_CASES);
        run.add("authenticationAccepted");
        Map<String, Status> outcomes = KitRun.outcomes(WithoutEdgeLimits.class, run);
        for (String edge : EDGE_CASES) {
            assertThat(outcomes).containsEntry(edge, Status.ABORTED);
        }
        assertThat(outcomes).containsEntry("authenticationAccepted", Status.SUCCESSFUL);
    }
}
