package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defaults, and every mistake rejected with a ConfigurationException naming the setting and the fix.
 * The {@code tls-*} mistakes are tested once for every transport, in tok-transport-support's ServerTlsTest.
 */
class TcpSettingsTest {

    @TempDir
    static Path dir;
    static TestCertificates pki;

    @BeforeAll
    static void generate() throws Exception {
        pki = new TestCertificates();
        TestCertificates.writeChain(pki.server, dir.resolve("server.pem"));
        TestCertificates.writeKey(pki.server, dir.resolve("server.key"));
        TestCertificates.writePkcs12(pki.server, dir.resolve("server.p12"));
        TestCertificates.writeTrustStore(pki.ca.certificate(), dir.resolve("trust.p12"));
    }

    private static TcpSettings parse(Map<String, String> values) {
        return TcpSettings.parse(Settings.of("transport 'tcp'", values));
    }

    private static Map<String, String> with(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("port", "0");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1].replace("$DIR", dir.toString()));
        }
        return m;
    }

    @Test
    @DisplayName("defaults: 0.0.0.0, 4 MiB frames, hub timeouts, 10000 connections, 1 MiB high-water mark, 64 MiB pending cap")
    void defaults() {
        TcpSettings s = parse(Map.of("port", "9000"));
        assertThat(s.bindAddress().getAddress().isAnyLocalAddress()).isTrue();
        assertThat(s.bindAddress().getPort()).isEqualTo(9000);
        assertThat(s.maxFrameLength()).isEqualTo(4 * 1024 * 1024);
        assertThat(s.authTimeout()).isEmpty();
        assertThat(s.writeTimeout()).isEmpty();
        assertThat(s.edge().maxConnections()).isEqualTo(10_000);
        assertThat(s.edge().maxConnectionsPerIp()).isEqualTo(256);
        assertThat(s.edge().framesPerSecond()).isEqualTo(100);
        assertThat(s.highWaterMark()).isEqualTo(1024 * 1024);
        assertThat(s.maxPendingBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(s.workerThreads()).isZero();
        assertThat(s.nativeTransport()).isTrue();
        assertThat(s.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.tls()).isEmpty();
        assertThat(TcpSettings.NAMES).hasSize(33);
    }

    @Test
    void valuesAreRead() {
        TcpSettings s = parse(with("host", "127.0.0.1", "max-frame-length", "64KiB", "auth-timeout", "2s", "write-timeout",
                "PT10S", "max-connections", "3", "high-water-mark", "8KiB", "max-pending-bytes", "16KiB", "worker-threads", "2",
                "native-transport", "false", "shutdown-grace-period", "0"));
        assertThat(s.bindAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(s.maxFrameLength()).isEqualTo(65536);
        assertThat(s.authTimeout()).contains(Duration.ofSeconds(2));
        assertThat(s.writeTimeout()).contains(Duration.ofSeconds(10));
        assertThat(s.edge().maxConnections()).isEqualTo(3);
        assertThat(s.highWaterMark()).isEqualTo(8192);
        assertThat(s.maxPendingBytes()).isEqualTo(16384);
        assertThat(s.workerThreads()).isEqualTo(2);
        assertThat(s.nativeTransport()).isFalse();
        assertThat(s.shutdownGracePeriod()).isZero();
    }

    @Test
    void portIsRequired() {
        assertThatThrownBy(() -> parse(Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("setting 'port' for transport 'tcp' is required").hasMessageContaining("0 for an ephemeral port");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "port|70000|a port number 1-65535, or 0 for an ephemeral port",
        "port|-1|a port number 1-65535",
        "port|http|an integer",
        "host|no such host.invalid|an IP address or a resolvable host name",
        "max-frame-length|0|a size from 1 to",
        "max-frame-length|3GiB|a size from 1 to",
        "max-frame-length|4 megs|a size such as",
        "auth-timeout|0|a positive duration",
        "auth-timeout|soon|a duration such as",
        "write-timeout|0s|a positive duration",
        "max-connections|-1|or 0 for no limit",
        "high-water-mark|1|a size from 2 bytes",
        "max-pending-bytes|1KiB|a size of at least high-water-mark",
        "worker-threads|-1|a number of I/O threads, or 0",
        "native-transport|maybe|true or false",
        "shutdown-grace-period|a while|a duration such as",
        "tls-client-auth|sometimes|one of [none, optional, require]",
    })
    void badValuesNameTheSettingAndTheFix(String key, String value, String expected) {
        Map<String, String> m = with(key, value);
        if (key.equals("tls-client-auth")) {
            m.putAll(with("tls-cert", "$DIR/server.pem", "tls-key", "$DIR/server.key"));
            m.put(key, value);
        }
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("setting '" + key + "' for transport 'tcp' is '" + value + "'")
                .hasMessageContaining(expected);
    }

    @Test
    void unknownSettingListsTheKnownOnes() {
        assertThatThrownBy(() -> parse(with("max-frame-size", "1MiB"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'max-frame-size' for transport 'tcp'")
                .hasMessageContaining("max-frame-length");
    }

    @Test
    void validTlsConfigurations() {
        assertThat(parse(with("tls-cert", "$DIR/server.pem", "tls-key", "$DIR/server.key")).tls()).isPresent();
        assertThat(parse(with("tls-keystore", "$DIR/server.p12", "tls-keystore-password", "changeit", "tls-client-auth",
                "optional", "tls-truststore", "$DIR/trust.p12", "tls-truststore-password", "changeit")).tlsDescription())
                .contains("keystore").contains("client certificates optional");
    }

    @Test
    @DisplayName("auth-timeout and write-timeout default to the hub's and are overridden by the transport's")
    void timeoutsComeFromTheHubUnlessOverridden() throws Exception {
        try (TransportFixture f = TransportFixture.start(RecordingContext.withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(7)),
                Map.of())) {
            assertThat(f.transport.authTimeoutNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
            assertThat(f.transport.writeTimeoutNanos()).isEqualTo(Duration.ofSeconds(7).toNanos());
        }
        try (TransportFixture f = TransportFixture.start(RecordingContext.withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(7)),
                Map.of("auth-timeout", "1s", "write-timeout", "2s"))) {
            assertThat(f.transport.authTimeoutNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
            assertThat(f.transport.writeTimeoutNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
        }
    }
}
