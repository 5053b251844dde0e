package dev.tok.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Hub;
import org.junit.jupiter.api.Test;

/** The API finds this implementation through ServiceLoader, as applications use it. */
class HubProviderLookupTest {

    @Test
    void hubCreateFindsTheCoreImplementation() {
        try (Hub hub = Hub.create(HubFixture.config().noQueue().build())) {
            assertThat(hub).isInstanceOf(CoreHub.class);
            assertThat(hub.online()).isEmpty();
        }
    }

    @Test
    void theDefaultQueueIsRequiredWhenNoneIsConfigured() {
        // tok-queue-memory is not on tok-core's test path: the error must say what to add.
        assertThatThrownBy(() -> Hub.create(HubFixture.config().build()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No QueueProvider named 'memory'")
                .hasMessageContaining("dev.tok:tok-queue-memory");
    }
}
