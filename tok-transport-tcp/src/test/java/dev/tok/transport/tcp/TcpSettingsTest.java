package dev.tok.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.nio.file.Files;
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

/** Defaults, and every mistake rejected with a ConfigurationException naming the setting and the fix. */
class TcpSettingsTest {

    @TempDir
    static Path dir;
    static TestCertificates pki;

    @BeforeAll
    static void generate() throws Exception {
        pki = new TestCertificates();
        TestCertificates.writeChain(pki.server, dir.resolve("server.pem"));
        TestCertificates.writeKey(pki.server, dir.resolve("server.key"));
        TestCertificates.writeCertificate(pki.ca.certificate(), dir.resolve("ca.pem"));
        TestCertificates.writePkcs12(pki.server, dir.resolve("server.p12"));
        TestCertificates.writeTrustStore(pki.ca.certificate(), dir.resolve("trust.p12"));
        Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
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
        assertThat(s.maxConnections()).isEqualTo(10_000);
        assertThat(s.highWaterMark()).isEqualTo(1024 * 1024);
        assertThat(s.maxPendingBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(s.workerThreads()).isZero();
        assertThat(s.nativeTransport()).isTrue();
        assertThat(s.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.tls()).isEmpty();
        assertThat(TcpSettings.NAMES).hasSize(22);
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
        assertThat(s.maxConnections()).isEqualTo(3);
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
        "max-connections|0|a positive number of connections",
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
            m.putAll(with("tls-cert-path", "$DIR/server.pem", "tls-key-path", "$DIR/server.key"));
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

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "cert without key|tls-cert-path=$DIR/server.pem|'tls-key-path' for transport 'tcp' is required with PEM TLS",
        "key without cert|tls-key-path=$DIR/server.key|'tls-cert-path' for transport 'tcp' is required with PEM TLS",
        "PEM and keystore|tls-cert-path=$DIR/server.pem,tls-key-path=$DIR/server.key,tls-keystore-path=$DIR/server.p12|choose one source",
        "missing file|tls-cert-path=$DIR/nope.pem,tls-key-path=$DIR/server.key|'tls-cert-path' for transport 'tcp' is '",
        "garbage PEM|tls-cert-path=$DIR/garbage.pem,tls-key-path=$DIR/server.key|cannot be read",
        "key file as certificate|tls-cert-path=$DIR/server.key,tls-key-path=$DIR/server.key|cannot be read",
        "client auth without trust|tls-cert-path=$DIR/server.pem,tls-key-path=$DIR/server.key,tls-client-auth=require|nothing says which client certificates to trust",
        "trust without client auth|tls-cert-path=$DIR/server.pem,tls-key-path=$DIR/server.key,tls-trust-cert-path=$DIR/ca.pem|set tls-client-auth to optional or require",
        "client auth without TLS|tls-client-auth=require|needs TLS, which is off",
        "keystore password without keystore|tls-keystore-password=x|needs TLS, which is off",
        "keystore wrong password|tls-keystore-path=$DIR/server.p12,tls-keystore-password=wrong|check 'tls-keystore-password'",
        "keystore without a key|tls-keystore-path=$DIR/trust.p12,tls-keystore-password=changeit|holds no private key entry",
        "key password with keystore|tls-keystore-path=$DIR/server.p12,tls-keystore-password=changeit,tls-key-password=x|only applies to a PEM key",
        "keystore type with PEM|tls-cert-path=$DIR/server.pem,tls-key-path=$DIR/server.key,tls-keystore-type=JKS|only applies with tls-keystore-path",
        "unknown keystore type|tls-keystore-path=$DIR/server.p12,tls-keystore-password=changeit,tls-keystore-type=ZIP|a keystore type this JVM supports",
        "both trust sources|tls-cert-path=$DIR/server.pem,tls-key-path=$DIR/server.key,tls-client-auth=optional,tls-trust-cert-path=$DIR/ca.pem,tls-truststore-path=$DIR/trust.p12|choose one",
        "truststore password without truststore|tls-cert-path=$DIR/server.pem,tls-key-path=$DIR/server.key,tls-client-auth=optional,tls-trust-cert-path=$DIR/ca.pem,tls-truststore-password=x|only applies with tls-truststore-path",
    })
    void tlsMistakes(String name, String settings, String expected) {
        Map<String, String> m = with();
        for (String kv : settings.split(",")) {
            String[] p = kv.split("=", 2);
            m.put(p[0], p[1].replace("$DIR", dir.toString()));
        }
        assertThatThrownBy(() -> parse(m)).as(name).isInstanceOf(ConfigurationException.class).hasMessageContaining(expected);
    }

    @Test
    void validTlsConfigurations() {
        assertThat(parse(with("tls-cert-path", "$DIR/server.pem", "tls-key-path", "$DIR/server.key")).tls()).isPresent();
        assertThat(parse(with("tls-keystore-path", "$DIR/server.p12", "tls-keystore-password", "changeit", "tls-client-auth",
                "optional", "tls-truststore-path", "$DIR/trust.p12", "tls-truststore-password", "changeit")).tlsDescription())
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
