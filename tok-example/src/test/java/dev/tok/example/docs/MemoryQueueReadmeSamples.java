package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.util.Map;

/** The sample of {@code tok-queue-memory/README.md}: compiled only (a fixed port). */
class MemoryQueueReadmeSamples extends DocFixtures {

    HubConfig hubConfig = echoConfig();

    TokServer queue() {
        // tag::queue[]
        TokServer server = TokServer.builder(hubConfig)
                .queue("memory", Map.of("max-messages-per-user", "1000", "max-total-bytes", "64MiB"))
                .transport("tcp", Map.of("port", "9000"))
                .build()
                .start();
        // end::queue[]
        return server;
    }
}
