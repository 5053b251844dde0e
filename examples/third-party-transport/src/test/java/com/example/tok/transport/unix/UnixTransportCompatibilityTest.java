package com.example.tok.transport.unix;

import dev.tok.api.TokServer;
import dev.tok.testkit.TransportClient;
import dev.tok.testkit.TransportCompatibilityKit;
import dev.tok.testkit.TransportLimits;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** Runs tok's transport compatibility kit against the {@code unix} transport. */
// tag::kit[] (shown in tok-testkit/README.md)
class UnixTransportCompatibilityTest extends TransportCompatibilityKit {

    @TempDir
    Path dir;
    private int servers;

    @Override
    protected void addTransport(TokServer.Builder builder, TransportLimits limits) {
        builder.transport("unix", Map.of("path", dir.resolve("tok-" + servers++ + ".sock").toString(),
                "max-frame-length", String.valueOf(limits.maxFrameSize()),
                "high-water-mark", String.valueOf(limits.highWaterMark()),
                "max-pending-bytes", String.valueOf(limits.maxPendingBytes()),
                "shutdown-grace-period", limits.stopGracePeriod().toMillis() + "ms"));
    }

    @Override
    protected TransportClient client() {
        return new UnixSocketClient();
    }
}
// end::kit[]
