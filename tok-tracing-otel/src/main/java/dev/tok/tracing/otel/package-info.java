/**
 * {@link dev.tok.tracing.otel.TokTracing}: a hub's spans for OpenTelemetry. See the module's
 * README for the spans, their kinds and attributes.
 *
 * @since 0.1
 */
package dev.tok.tracing.otel;
