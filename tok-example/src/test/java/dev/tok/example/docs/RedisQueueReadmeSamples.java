package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.util.Map;

/** The sample of {@code tok-queue-redis/README.md}: compiled only (it needs a Redis). */
class RedisQueueReadmeSamples extends DocFixtures {

    HubConfig config = echoConfig();

    TokServer queue() {
        // tag::queue[]
        TokServer server = TokServer.builder(config)
                .queue("redis", Map.of("uri", "redis://redis.internal:6379/0", "key-prefix", "chat:"))
                .transport("tcp", Map.of("port", "9000"))
                .build()
                .start();
        // end::queue[]
        return server;
    }
}
