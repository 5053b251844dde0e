package dev.tok.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.CloseReason;
import dev.tok.api.SendOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Tag values are lowercase-dash, and a registry bound late still gets the gauges' current values. */
class TagValueTest {
    @Test
    void tagValuesAreLowercaseDash() {
        assertThat(TokMetrics.tagValue(CloseReason.FRAME_TOO_LARGE)).isEqualTo("frame-too-large");
        assertThat(TokMetrics.tagValue(SendOutcome.PARTIALLY_DELIVERED)).isEqualTo("partially-delivered");
        assertThat(TokMetrics.tagValue(SendOutcome.DELIVERED)).isEqualTo("delivered");
    }

    @Test
    void aRegistryBoundLateSeesTheGaugesAndLaterCounts() {
        TokMetrics metrics = TokMetrics.create();
        metrics.connectionOpened(dev.tok.api.Device.of("u", "d"), "tcp");
        metrics.userOnline();
        metrics.enqueued();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        metrics.enqueued();
        assertThat(registry.get("tok.users.online").gauge().value()).isEqualTo(1);
        assertThat(registry.get("tok.connections").tag("transport", "tcp").gauge().value()).isEqualTo(1);
        assertThat(registry.get("tok.queue.enqueued").counter().count()).as("counts from the binding on").isEqualTo(1);
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        metrics.bindTo(second);
        metrics.sendCompleted(SendOutcome.DELIVERED, 1_000);
        assertThat(registry.get("tok.sends").tag("outcome", "delivered").counter().count()).isEqualTo(1);
        assertThat(second.get("tok.sends").tag("outcome", "delivered").counter().count()).isEqualTo(1);
    }
}
