package dev.tok.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.TokException;
import dev.tok.api.spi.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The settings: defaults, strict keys, clear errors. */
class SettingsTest {

    private static RedisClusterSettings parse(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return RedisClusterSettings.from(Settings.of("cluster 'redis'", m));
    }

    @Test
    @DisplayName("defaults: lease 10s, heartbeat 2s, command and route timeouts 2s, prefix tok:cluster:, a generated node id")
    void defaults() {
        RedisClusterSettings s = parse("uri", "redis://:secret@127.0.0.1:6390/2");
        assertThat(s.lease()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.routeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.keyPrefix()).isEqualTo("tok:cluster:");
        assertThat(s.requestQueueSize()).isEqualTo(10_000);
        assertThat(s.nodeId()).matches("node-[0-9a-f]{8}");
        assertThat(s.displayUri()).isEqualTo("redis://127.0.0.1:6390/2").doesNotContain("secret");
        assertThat(parse("uri", "redis://h", "lease", "3s").heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.epochTtl()).isEqualTo(Duration.ofDays(30));
        assertThat(s.cluster()).isFalse();
        assertThat(s.uris()).containsExactly("redis://:secret@127.0.0.1:6390/2");
    }

    @Test
    @DisplayName("cluster=true takes comma-separated seed uris, shown without passwords; one uri only without it")
    void redisCluster() {
        RedisClusterSettings s = parse("uri", "redis://:pw@10.0.0.1:7000, redis://:pw@10.0.0.2:7001", "cluster", "true");
        assertThat(s.cluster()).isTrue();
        assertThat(s.uris()).hasSize(2);
        assertThat(s.displayUri()).isEqualTo("redis://10.0.0.1:7000/0,redis://10.0.0.2:7001/0");
        assertThatThrownBy(() -> parse("uri", "redis://:pw@10.0.0.1:7000,redis://10.0.0.2:7001"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("only with cluster=true")
                .hasMessageNotContaining("pw");
    }

    @Test
    @DisplayName("epoch-ttl: a duration of at least a second")
    void epochTtl() {
        assertThat(parse("uri", "redis://h", "epoch-ttl", "7d").epochTtl()).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> parse("uri", "redis://h", "epoch-ttl", "500ms")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("epoch-ttl").hasMessageContaining("at least 1s");
        assertThatThrownBy(() -> parse("uri", "redis://h", "epoch-ttl", "0")).hasMessageContaining("epoch-ttl");
    }

    @Test
    @DisplayName("errors name the key and the expected form")
    void errors() {
        assertThatThrownBy(() -> parse()).isInstanceOf(ConfigurationException.class).hasMessageContaining("'uri'")
                .hasMessageContaining("is required");
        assertThatThrownBy(() -> parse("uri", "http://h")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("redis:// or rediss://");
        assertThatThrownBy(() -> parse("uri", "redis://h", "node-id", "a b")).hasMessageContaining("node-id");
        assertThatThrownBy(() -> parse("uri", "redis://h", "lease", "4s", "heartbeat", "3s"))
                .hasMessageContaining("at most half the lease");
        assertThatThrownBy(() -> parse("uri", "redis://h", "key-prefix", "a{b}")).hasMessageContaining("hash tag");
        assertThatThrownBy(() -> parse("uri", "redis://h", "request-queue-size", "0")).hasMessageContaining("request-queue-size");
        assertThatThrownBy(() -> parse("uri", "redis://h", "route-timeout", "0")).hasMessageContaining("route-timeout");
    }

    @Test
    @DisplayName("an unknown key is refused with a suggestion")
    void unknownKey() {
        RedisClusterProvider p = new RedisClusterProvider();
        assertThatThrownBy(() -> p.create(Settings.of("cluster 'redis'", Map.of("uri", "redis://h", "leese", "5s"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("unknown setting 'leese'")
                .hasMessageContaining("did you mean 'lease'");
    }

    @Test
    @DisplayName("an unreachable Redis fails create() with a TokException naming the uri without its password")
    void unreachable() {
        RedisClusterProvider p = new RedisClusterProvider();
        assertThatThrownBy(() -> p.create(Settings.of("cluster 'redis'", Map.of("uri", "redis://:pw@127.0.0.1:1/0",
                "connect-timeout", "500ms"))))
                .isInstanceOf(TokException.class).hasMessageContaining("redis://127.0.0.1:1/0").hasMessageNotContaining("pw");
    }
}
