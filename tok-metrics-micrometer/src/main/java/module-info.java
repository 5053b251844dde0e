/**
 * Micrometer meters for a tok hub: {@link dev.tok.metrics.micrometer.TokMetrics} is a
 * {@link dev.tok.api.HubObserver} (registered with {@code HubConfig.Builder.observer}) and a
 * Micrometer {@code MeterBinder} (bound to a {@code MeterRegistry}). Depends on tok-api and
 * Micrometer only, never on tok-core. Exports its one package.
 */
module dev.tok.metrics.micrometer {
    requires transitive dev.tok.api;
    // Micrometer's MeterBinder and MeterRegistry are this module's API (TokMetrics implements the
    // one and binds to the other), so users must read Micrometer: transitive, unlike the
    // providers, which hide Netty and Jetty. micrometer.core is an automatic module (the name
    // comes from its manifest's Automatic-Module-Name, so it is stable).
    requires transitive micrometer.core;

    exports dev.tok.metrics.micrometer;
}
