/**
 * OpenTelemetry spans for a tok hub: {@link dev.tok.tracing.otel.TokTracing} is a
 * {@link dev.tok.api.HubTracer} (registered with {@code HubConfig.Builder.tracer}) that reports
 * to the application's {@code OpenTelemetry}. Depends on tok-api and opentelemetry-api only,
 * never on tok-core or the SDK. Exports its one package.
 */
module dev.tok.tracing.otel {
    requires transitive dev.tok.api;
    // OpenTelemetry is this module's API (TokTracing.create takes the application's
    // OpenTelemetry; the attribute keys are AttributeKeys), so users must read it: transitive,
    // unlike the providers, which hide Netty and Jetty. Both are automatic modules whose names
    // come from their manifests' Automatic-Module-Name, so they are stable.
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;

    exports dev.tok.tracing.otel;
}
