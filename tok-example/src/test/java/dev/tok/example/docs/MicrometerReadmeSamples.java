package dev.tok.example.docs;

import dev.tok.api.Actor;
import dev.tok.api.Authenticator;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.metrics.micrometer.TokMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;

/** The sample of {@code tok-metrics-micrometer/README.md}, the root README and {@code TokMetrics}' Javadoc; it runs. */
class MicrometerReadmeSamples extends DocFixtures {

    final MeterRegistry registry = new SimpleMeterRegistry();
    final Authenticator authenticator = echoConfig().authenticator().orElseThrow();
    final Actor actor = echoConfig().actor();

    TokServer usage() {
        // tag::usage[]
        TokMetrics metrics = TokMetrics.create();   // 1. the meters: they need no hub
        metrics.bindTo(registry);                   // 2. publish them to any MeterRegistry
        HubConfig config = HubConfig.builder()
                .authenticator(authenticator)
                .actor(actor)
                .observer(metrics)                  // 3. the hub reports to them
                .build();
        TokServer server = TokServer.builder(config)
                .transport("tcp", Map.of("port", "0"))
                .build()
                .start();
        // end::usage[]
        return server;
    }
}
