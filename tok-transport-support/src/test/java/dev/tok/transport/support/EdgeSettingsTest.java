package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The edge settings every built-in transport reads: defaults, off-switches, strict values. */
class EdgeSettingsTest {

    private static final long MAX_FRAME = 4L * 1024 * 1024;

    private static EdgeSettings parse(Map<String, String> values) {
        return EdgeSettings.parse(Settings.of("transport 'test'", values), "max-frame-length", MAX_FRAME);
    }

    @Test
    @DisplayName("defaults: 10000 connections, 256 per IP, 32 unauthenticated per IP, 100 frames/s (burst 1000), "
            + "1 MiB/s (burst 8 MiB), ban after 10 failures in 1m for 1m doubling up to 1h, 10000 tracked addresses")
    void defaults() {
        EdgeSettings s = parse(Map.of());
        assertThat(s.maxConnections()).isEqualTo(10_000);
        assertThat(s.maxConnectionsPerIp()).isEqualTo(256);
        assertThat(s.maxUnauthenticatedPerIp()).isEqualTo(32);
        assertThat(s.framesPerSecond()).isEqualTo(100);
        assertThat(s.framesBurst()).isEqualTo(1000);
        assertThat(s.bytesPerSecond()).isEqualTo(1024 * 1024);
        assertThat(s.bytesBurst()).isEqualTo(8 * 1024 * 1024);
        assertThat(s.authFailureLimit()).isEqualTo(10);
        assertThat(s.authFailureWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.authFailureBan()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.authFailureMaxBan()).isEqualTo(Duration.ofHours(1));
        assertThat(s.authFailureTrackedIps()).isEqualTo(10_000);
        assertThat(s.newInboundRate()).isNotNull();
    }

    @Test
    @DisplayName("0 turns each limit off; with both rates off a connection gets no rate limiter at all")
    void zeroIsOff() {
        EdgeSettings s = parse(Map.of("max-connections", "0", "max-connections-per-ip", "0", "max-unauthenticated-per-ip", "0",
                "rate-limit-frames-per-second", "0", "rate-limit-bytes-per-second", "0", "auth-failure-limit", "0"));
        assertThat(s.newInboundRate()).isNull();
        assertThat(s.describe()).isEqualTo("max-connections off, per ip off (unauthenticated off), rate limit off and off, "
                + "auth-failure bans off");
        EdgeGuard guard = s.newGuard();
        for (int i = 0; i < 1000; i++) {
            assertThat(guard.admit(new java.net.InetSocketAddress("127.0.0.1", 1000 + i)).refusal()).isNull();
        }
    }

    @Test
    @DisplayName("the default byte burst grows to the largest frame, so a transport with 16 MiB frames still accepts one")
    void byteBurstFollowsLargeFrames() {
        EdgeSettings s = EdgeSettings.parse(Settings.of("transport 'test'", Map.of()), "max-frame-length", 16L << 20);
        assertThat(s.bytesBurst()).isEqualTo(16L << 20);
    }

    @Test
    @DisplayName("a byte burst below the largest frame is refused, naming both settings and the fixes")
    void byteBurstBelowMaxFrame() {
        assertThatThrownBy(() -> parse(Map.of("rate-limit-bytes-burst", "1MiB")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting 'rate-limit-bytes-burst' for transport 'test' is 1048576 bytes, less than 'max-frame-length' "
                        + "(4194304 bytes): a frame of the maximum size could never pass the rate limit; raise "
                        + "rate-limit-bytes-burst to at least 4194304, lower max-frame-length, or set "
                        + "rate-limit-bytes-per-second to 0 (off)");
        assertThat(parse(Map.of("rate-limit-bytes-burst", "1MiB", "rate-limit-bytes-per-second", "0")).bytesBurst())
                .isEqualTo(1024 * 1024);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "max-connections|-1|or 0 for no limit",
        "max-connections-per-ip|many|an integer",
        "max-unauthenticated-per-ip|-2|or 0 for no limit",
        "rate-limit-frames-per-second|-1|or 0 for no limit",
        "rate-limit-frames-burst|0|at least 1",
        "rate-limit-bytes-per-second|fast|a size",
        "rate-limit-bytes-burst|0|a positive size",
        "auth-failure-limit|-1|or 0 for no limit",
        "auth-failure-window|0s|a positive duration",
        "auth-failure-ban|soon|a duration",
        "auth-failure-max-ban|30s|at least auth-failure-ban",
        "auth-failure-tracked-ips|0|to turn bans off, set auth-failure-limit to 0",
    })
    @DisplayName("malformed values are refused naming the setting and what it takes")
    void strict(String key, String value, String expected) {
        assertThatThrownBy(() -> parse(Map.of(key, value))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("setting '" + key + "' for transport 'test' is '" + value + "'")
                .hasMessageContaining(expected);
    }
}
