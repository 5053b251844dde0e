package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.util.Map;

/** The sample of {@code tok-queue-chronicle/README.md}: compiled only (a fixed directory and port). */
class ChronicleQueueReadmeSamples extends DocFixtures {

    HubConfig config = echoConfig();

    TokServer queue() {
        // tag::queue[]
        TokServer server = TokServer.builder(config)
                .queue("chronicle", Map.of("directory", "/var/lib/tok/queue"))
                .transport("tcp", Map.of("port", "9000"))
                .build()
                .start();
        // end::queue[]
        return server;
    }
}
