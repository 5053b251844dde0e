package dev.tok.tracing.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.ConnectionContext;
import dev.tok.api.Device;
import dev.tok.api.SendOutcome;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Work a sampler drops is not traced further: the hub gets null and skips the send's parts. */
class SamplingTest {

    /** @return a connection of alice over tcp; what the tracer does not ask for throws */
    private static ConnectionContext connection() {
        return (ConnectionContext) Proxy.newProxyInstance(SamplingTest.class.getClassLoader(),
                new Class<?>[] {ConnectionContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "transport" -> "tcp";
                    case "device" -> Device.of("alice", "phone");
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    @DisplayName("with a no-op OpenTelemetry, sends and deliveries are not traced at all")
    void noop() {
        TokTracing tracing = TokTracing.create(OpenTelemetry.noop());
        assertThat(tracing.sendStarted("bob", 1)).isNull();
        assertThat(tracing.deliveryStarted("bob", null)).isNull();
        assertThat(tracing.deliveryStarted("bob", "tcp")).isNull();
    }

    @Test
    @DisplayName("a receive the sampler drops is still made current, so the actor's sends are dropped with it")
    void droppedReceiveDropsItsSends() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(0)))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
            TokTracing tracing = TokTracing.create(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
            Object receive = tracing.receiveStarted(connection(), 3);
            assertThat(receive).isNotNull();
            assertThat(Span.current().getSpanContext().isValid()).as("current while the actor runs").isTrue();
            assertThat(tracing.sendStarted("bob", 3)).as("a dropped parent drops the send").isNull();
            tracing.receiveFinished(receive, null);
            assertThat(Span.current().getSpanContext().isValid()).as("the scope is closed").isFalse();
            assertThat(exporter.getFinishedSpanItems()).isEmpty();
        }
    }

    @Test
    @DisplayName("a send the sampler keeps gets its outcome; an enqueue its message id, on the send too")
    void sampledSend() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
            TokTracing tracing = TokTracing.create(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
            Object send = tracing.sendStarted("bob", 3);
            Object enqueue = tracing.enqueueStarted(send);
            tracing.enqueueFinished(enqueue, 42, null);
            tracing.sendFinished(send, SendOutcome.PARTIALLY_DELIVERED, null);
            assertThat(exporter.getFinishedSpanItems()).extracting(s -> s.getAttributes().get(TokTracing.MESSAGE_ID))
                    .containsExactly("42", "42");
            assertThat(exporter.getFinishedSpanItems().get(1).getAttributes().get(TokTracing.OUTCOME)).isEqualTo("partially-delivered");
        }
    }
}
