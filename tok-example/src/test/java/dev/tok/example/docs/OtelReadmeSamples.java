package dev.tok.example.docs;

import dev.tok.api.Actor;
import dev.tok.api.Authenticator;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.tracing.otel.TokTracing;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Map;

/** The samples of {@code tok-tracing-otel/README.md}, the root README and {@code TokTracing}'s Javadoc. */
class OtelReadmeSamples extends DocFixtures {

    final OpenTelemetry openTelemetry = OpenTelemetry.noop();
    final Authenticator authenticator = echoConfig().authenticator().orElseThrow();
    final Actor actor = echoConfig().actor();

    TokServer usage() {
        // tag::usage[]
        TokTracing tracing = TokTracing.create(openTelemetry);  // 1. the application's OpenTelemetry (SDK, agent, ...)
        HubConfig config = HubConfig.builder()
                .authenticator(authenticator)
                .actor(actor)
                .tracer(tracing)                                 // 2. the hub reports its work to it
                .build();
        TokServer server = TokServer.builder(config)
                .transport("tcp", Map.of("port", "0"))
                .build()
                .start();
        // end::usage[]
        return server;
    }

    TokTracing withUids() {
        // tag::uids[]
        TokTracing tracing = TokTracing.builder(openTelemetry)
                .recordUid(true)                                 // tok.uid on the spans: personal data, off by default
                .build();
        // end::uids[]
        return tracing;
    }
}
