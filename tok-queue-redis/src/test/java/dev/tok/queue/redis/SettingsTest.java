package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Defaults, and the errors for missing, unknown and malformed settings (no Redis needed: parsing only). */
class SettingsTest {

    private static RedisQueueSettings parse(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("uri", "redis://127.0.0.1:6379/0");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        m.values().removeIf(v -> v.equals("<absent>"));
        Settings s = Settings.of("queue 'redis'", m);
        s.requireKnown(RedisQueueSettings.NAMES);
        return RedisQueueSettings.from(s);
    }

    @Test
    @DisplayName("defaults")
    void defaults() {
        RedisQueueSettings s = parse();
        assertThat(s.keyPrefix()).isEqualTo("tok:");
        assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.maxPerUser()).isEqualTo(10_000);
        assertThat(s.maxBytesPerUser()).isEqualTo(16L << 20);
        assertThat(s.deviceRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(s.whenDisconnected()).isEqualTo(RedisQueueSettings.WhenDisconnected.WAIT);
        assertThat(s.requestQueueSize()).isEqualTo(10_000);
        assertThat(s.displayUri()).isEqualTo("redis://127.0.0.1:6379/0");
        assertThat(s.cluster()).isFalse();
    }

    @Test
    @DisplayName("the uri is required, and shown without user and password")
    void uri() {
        assertThatThrownBy(() -> parse("uri", "<absent>")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'uri'").hasMessageContaining("is required").hasMessageContaining("redis://127.0.0.1:6379/0");
        assertThat(parse("uri", "rediss://user:pw@cache.example:6380/2").displayUri()).isEqualTo("rediss://cache.example:6380/2");
        assertThat(parse("uri", "redis://cache.example").displayUri()).isEqualTo("redis://cache.example:6379/0");
        assertThatThrownBy(() -> parse("uri", "http://cache.example:6379")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("redis:// or rediss://");
        assertThatThrownBy(() -> parse("uri", "redis://:pw@cache.example:6379/x")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("database number")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(":pw"));
        assertThatThrownBy(() -> parse("uri", "redis://:pw@bad host")).isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw"));
    }

    @Test
    @DisplayName("malformed, non-positive and unknown values fail naming the setting")
    void malformed() {
        assertThatThrownBy(() -> parse("key-prefix", "tok:{x}:")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("key-prefix").hasMessageContaining("hash tag");
        assertThatThrownBy(() -> parse("command-timeout", "0")).hasMessageContaining("command-timeout").hasMessageContaining("positive");
        assertThatThrownBy(() -> parse("command-timeout", "soon")).hasMessageContaining("command-timeout");
        assertThatThrownBy(() -> parse("connect-timeout", "-1s")).hasMessageContaining("connect-timeout");
        assertThatThrownBy(() -> parse("max-messages-per-user", "0")).hasMessageContaining("max-messages-per-user");
        assertThatThrownBy(() -> parse("max-bytes-per-user", "0")).hasMessageContaining("max-bytes-per-user");
        assertThatThrownBy(() -> parse("max-bytes-per-user", "lots")).hasMessageContaining("max-bytes-per-user");
        assertThatThrownBy(() -> parse("device-retention", "0")).hasMessageContaining("device-retention");
        assertThatThrownBy(() -> parse("when-disconnected", "panic")).hasMessageContaining("when-disconnected")
                .hasMessageContaining("wait").hasMessageContaining("fail");
        assertThatThrownBy(() -> parse("request-queue-size", "0")).hasMessageContaining("request-queue-size");
        assertThatThrownBy(() -> parse("max-total-bytes", "1MiB")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'max-total-bytes'");
        assertThat(parse("max-bytes-per-user", "1MiB", "when-disconnected", "fail").maxBytesPerUser()).isEqualTo(1 << 20);
        assertThatThrownBy(() -> parse("cluster", "yes")).hasMessageContaining("cluster");
    }

    @Test
    @DisplayName("several uris only with cluster=true: seed nodes")
    void clusterSeeds() {
        assertThatThrownBy(() -> parse("uri", "redis://a:7000,redis://:pw@b:7001")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cluster=true").satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw"));
        RedisQueueSettings s = parse("uri", "redis://a:7000, redis://:pw@b:7001", "cluster", "true");
        assertThat(s.cluster()).isTrue();
        assertThat(s.uris()).containsExactly("redis://a:7000", "redis://:pw@b:7001");
        assertThat(s.displayUri()).isEqualTo("redis://a:7000/0,redis://b:7001/0");
    }
}
