package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The settings of both WebSocket transports: defaults, derived timeouts, and strict parsing. */
class WsSettingsTest {

    private static WsSettings parse(Map<String, String> values) {
        return WsSettings.parse(Settings.of("transport 'test-ws'", values), WsSettings.with("io-threads"));
    }

    private static HubConfig hub(Duration readTimeout) {
        return HubConfig.builder().actor((d, p) -> { }).authenticator(r -> new CompletableFuture<>())
                .pingGenerator(() -> new byte[0]).readTimeout(readTimeout).writeTimeout(Duration.ofSeconds(7)).build();
    }

    @Test
    @DisplayName("defaults: 0.0.0.0:8080 at /ws, 4 MiB messages, text frames, no deflate, no TLS, 1 MiB high-water mark, 5s stop")
    void defaults() {
        WsSettings s = parse(Map.of());
        assertThat(s.host()).isEqualTo("0.0.0.0");
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.path()).isEqualTo("/ws");
        assertThat(s.maxMessageSize()).isEqualTo(4 * 1024 * 1024);
        assertThat(s.binary()).isFalse();
        assertThat(s.allowedOrigins()).isEmpty();
        assertThat(s.deflate()).isFalse();
        assertThat(s.tls()).isEmpty();
        assertThat(s.highWaterMark()).isEqualTo(1024 * 1024);
        assertThat(s.maxPendingBytes()).as("64 times the high-water mark, as tcp").isEqualTo(64L * 1024 * 1024);
        assertThat(s.stopTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.writeTimeout(hub(Duration.ZERO))).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    @DisplayName("ping interval half the hub's read-timeout, at most 30s; overridable, as the write timeout")
    void derivedTimeouts() {
        WsSettings s = parse(Map.of());
        assertThat(s.pingInterval(hub(Duration.ofSeconds(20)))).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.pingInterval(hub(Duration.ofMinutes(5)))).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.pingInterval(hub(Duration.ZERO))).isEqualTo(Duration.ofSeconds(30));
        WsSettings set = parse(Map.of("ping-interval", "2s", "write-timeout", "3s"));
        assertThat(set.pingInterval(hub(Duration.ofSeconds(20)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(set.writeTimeout(hub(Duration.ZERO))).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void valuesAreRead() {
        WsSettings s = parse(Map.of("host", "127.0.0.1", "port", "0", "path", "/chat", "max-message-size", "64KiB",
                "message-type", "BINARY", "allowed-origins", "https://App.example.com, *", "permessage-deflate", "true",
                "high-water-mark", "8KiB", "max-pending-bytes", "16KiB", "stop-timeout", "0"));
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isZero();
        assertThat(s.path()).isEqualTo("/chat");
        assertThat(s.maxMessageSize()).isEqualTo(65536);
        assertThat(s.binary()).isTrue();
        assertThat(s.allowedOrigins()).containsExactly("https://app.example.com:443", "*");
        assertThat(s.deflate()).isTrue();
        assertThat(s.highWaterMark()).isEqualTo(8192);
        assertThat(s.maxPendingBytes()).isEqualTo(16384);
        assertThat(s.stopTimeout()).isZero();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "port|65536|a port from 0 to 65535",
        "port|http|an integer",
        "path|ws|an absolute path such as /ws",
        "path|/ws?x=1|an absolute path such as /ws",
        "max-message-size|0|a size from 1 to 2GiB",
        "max-message-size|lots|a size such as",
        "ping-interval|PT-1S|a duration of 0 (off) or more",
        "message-type|xml|text or binary",
        "allowed-origins|app.example.com|a comma-separated list of origins",
        "permessage-deflate|maybe|true or false",
        "high-water-mark|0|a positive size",
        "max-pending-bytes|1KiB|a size of at least high-water-mark (1048576 bytes)",
        "max-pending-bytes|lots|a size such as",
        "write-timeout|0s|a positive duration",
        "stop-timeout|PT-1S|a duration of 0 or more, such as 5s",
    })
    void malformedValuesNameTheSetting(String key, String value, String expected) {
        assertThatThrownBy(() -> parse(Map.of(key, value))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("setting '" + key + "' for transport 'test-ws'").hasMessageContaining(expected);
    }

    @Test
    @DisplayName("unknown keys are refused with the known ones; TLS keys are those of every transport")
    void vocabulary() {
        assertThatThrownBy(() -> parse(Map.of("max-frame-size", "1"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'max-frame-size' for transport 'test-ws'")
                .hasMessageContaining("max-message-size");
        assertThat(WsSettings.COMMON_NAMES).containsAll(ServerTls.NAMES).containsAll(EdgeSettings.NAMES)
                .hasSize(12 + ServerTls.NAMES.size() + EdgeSettings.NAMES.size()).doesNotContain("idle-timeout");
        assertThat(WsSettings.CONNECTOR_NAMES).containsAll(ServerTls.NAMES).contains("host", "port")
                .hasSize(2 + ServerTls.NAMES.size());
        assertThat(WsSettings.with("io-threads")).containsAll(WsSettings.COMMON_NAMES).contains("io-threads");
        assertThatThrownBy(() -> parse(Map.of("tls-client-auth", "require"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("setting 'tls-client-auth' for transport 'test-ws' needs TLS, which is off");
    }

    @Test
    @DisplayName("idle-timeout is refused with a pointer to the hub's read timeout, which replaced it")
    void idleTimeoutRemoved() {
        assertThatThrownBy(() -> parse(Map.of("idle-timeout", "30s"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("setting 'idle-timeout' for transport 'test-ws' was removed")
                .hasMessageContaining("readTimeout");
    }
}
