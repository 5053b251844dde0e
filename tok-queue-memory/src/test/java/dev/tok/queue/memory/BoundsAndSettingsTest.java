package dev.tok.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.api.spi.Settings;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BoundsAndSettingsTest {

    private static final Instant LATER = Instant.now().plusSeconds(3600);

    private static MemoryQueue create(Map<String, String> settings) {
        return (MemoryQueue) new MemoryQueueProvider().create(Settings.of("queue 'memory'", settings));
    }

    @Test
    @DisplayName("the default per-user bound is 10000 messages and the refusal says which setting to raise")
    void defaultPerUserBound() {
        try (Queue q = create(Map.of())) {
            byte[] payload = {1};
            for (int i = 0; i < 10_000; i++) {
                q.enqueue("alice", payload, LATER);
            }
            assertThatThrownBy(() -> q.enqueue("alice", payload, LATER))
                    .isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("user 'alice'")
                    .hasMessageContaining("10000")
                    .hasMessageContaining("raise max-messages-per-user");
            assertThat(q.size("alice")).isEqualTo(10_000);
            q.enqueue("bob", payload, LATER);
        }
    }

    @Test
    @DisplayName("the default byte bound is 256MiB, counted as payload plus 64 bytes per message")
    void defaultByteBound() {
        try (MemoryQueue q = create(Map.of())) {
            byte[] mib = new byte[1024 * 1024]; // the queue keeps the array, so one array is enough
            int accepted = 0;
            QueueFullException refusal = null;
            for (int i = 0; i < 300 && refusal == null; i++) {
                try {
                    q.enqueue("user-" + (i % 10), mib, LATER);
                    accepted++;
                } catch (QueueFullException e) {
                    refusal = e;
                }
            }
            assertThat(accepted).isEqualTo((int) (256L * 1024 * 1024 / (mib.length + MemoryQueue.OVERHEAD_BYTES)));
            assertThat(refusal).isNotNull();
            assertThat(refusal.getMessage())
                    .contains("max-total-bytes bound of 268435456 bytes")
                    .contains("needs " + (mib.length + MemoryQueue.OVERHEAD_BYTES))
                    .contains("raise max-total-bytes");
            assertThat(q.usedBytes()).isEqualTo((long) accepted * (mib.length + MemoryQueue.OVERHEAD_BYTES));
        }
    }

    @Test
    @DisplayName("sizes are read with units")
    void sizeUnits() {
        try (MemoryQueue q = create(Map.of("max-total-bytes", "2KiB"))) {
            q.enqueue("alice", new byte[2048 - MemoryQueue.OVERHEAD_BYTES], LATER);
            assertThatThrownBy(() -> q.enqueue("alice", new byte[0], LATER)).isInstanceOf(QueueFullException.class);
            assertThat(q.usedBytes()).isEqualTo(2048);
        }
    }

    @Test
    @DisplayName("an unknown setting is rejected naming it and the known ones")
    void unknownSetting() {
        assertThatThrownBy(() -> create(Map.of("max-messages", "5")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'max-messages' for queue 'memory'")
                .hasMessageContaining("max-messages-per-user")
                .hasMessageContaining("max-total-bytes")
                .hasMessageContaining("sweep-interval");
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource({
            "max-messages-per-user, 0, a positive number",
            "max-messages-per-user, -3, a positive number",
            "max-messages-per-user, many, an integer",
            "max-total-bytes, 0, a positive size",
            "max-total-bytes, -1, size",
            "max-total-bytes, 1TB, size",
            "sweep-interval, 0, a positive duration",
            "sweep-interval, soon, a duration"})
    @DisplayName("a malformed or non-positive value is rejected naming the setting")
    void malformedValues(String key, String value, String expected) {
        assertThatThrownBy(() -> create(Map.of(key, value)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("setting '" + key + "' for queue 'memory' is '" + value + "'")
                .hasMessageContaining(expected);
    }

    @Test
    @DisplayName("the provider is named memory and declares its three settings")
    void providerDescribesItself() {
        MemoryQueueProvider p = new MemoryQueueProvider();
        assertThat(p.name()).isEqualTo("memory");
        assertThat(p.settingNames()).containsExactlyInAnyOrder("max-messages-per-user", "max-total-bytes", "sweep-interval");
    }
}
