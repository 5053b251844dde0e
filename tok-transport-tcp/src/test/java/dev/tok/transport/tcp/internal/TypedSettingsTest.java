package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.SendResult;
import dev.tok.api.TokServer;
import dev.tok.api.spi.Settings;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.tcp.TcpTransport;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TcpTransport#settings()}: one typed setter per key, the same keys and values as the string form. */
class TypedSettingsTest {

    @TempDir
    Path dir;

    /** {@code max-frame-length} → {@code maxFrameLength}. */
    static String setterName(String key) {
        StringBuilder b = new StringBuilder();
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                b.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return b.toString();
    }

    @Test
    @DisplayName("every key the provider accepts has a typed setter named after it, and there is no other setter")
    void everyKeyHasASetter() {
        Set<String> setters = Arrays.stream(TcpTransport.Settings.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getReturnType() == TcpTransport.Settings.class)
                .map(Method::getName).collect(Collectors.toSet());
        Set<String> expected = new TcpTransportProvider().settingNames().stream().map(TypedSettingsTest::setterName)
                .collect(Collectors.toSet());
        assertThat(setters).isEqualTo(expected);
    }

    @Test
    @DisplayName("calling every setter writes exactly the provider's keys, in the provider's formats")
    void everySetterWritesItsKey() {
        Path p = Path.of("/etc/tok/x.pem");
        TcpTransport.Settings all = TcpTransport.settings().host("127.0.0.1").port(9000).maxFrameLength(65536)
                .authTimeout(Duration.ofSeconds(3)).writeTimeout(Duration.ofMillis(1500)).maxConnections(5)
                .highWaterMark(4096).maxPendingBytes(8192).workerThreads(2).nativeTransport(false)
                .shutdownGracePeriod(Duration.ZERO).tlsCert(p).tlsKey(p).tlsKeyPassword("k").tlsKeystore(p)
                .tlsKeystorePassword("s").tlsKeystoreType("JKS").tlsClientAuth(TcpTransport.ClientAuth.REQUIRE)
                .tlsTrustCert(p).tlsTruststore(p).tlsTruststorePassword("t").tlsTruststoreType("PKCS12")
                .maxConnectionsPerIp(0).maxUnauthenticatedPerIp(8).rateLimitFramesPerSecond(0).rateLimitFramesBurst(5)
                .rateLimitBytesPerSecond(1024).rateLimitBytesBurst(65536).authFailureLimit(3)
                .authFailureWindow(Duration.ofSeconds(10)).authFailureBan(Duration.ofSeconds(1))
                .authFailureMaxBan(Duration.ofMinutes(2)).authFailureTrackedIps(64);
        assertThat(all.transport()).isEqualTo("tcp");
        assertThat(all.asMap().keySet()).isEqualTo(new TcpTransportProvider().settingNames());
        assertThat(all.asMap()).containsEntry("port", "9000").containsEntry("max-frame-length", "65536")
                .containsEntry("native-transport", "false").containsEntry("tls-client-auth", "require")
                .containsEntry("tls-cert", p.toString()).containsEntry("max-connections-per-ip", "0")
                .containsEntry("auth-failure-ban", "PT1S").containsEntry("rate-limit-bytes-burst", "65536");
        assertThat(all.toString()).contains("tls-key-password=****").doesNotContain("=k,").doesNotContain("=s,");
        Settings s = Settings.of("transport 'tcp'", all.asMap());
        assertThat(s.duration("auth-timeout", null)).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.duration("write-timeout", null)).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.duration("shutdown-grace-period", null)).isZero();
        assertThat(s.enumValue("tls-client-auth", ServerTls.ClientAuth.class, ServerTls.ClientAuth.NONE))
                .isEqualTo(ServerTls.ClientAuth.REQUIRE);
        assertThat(Arrays.stream(TcpTransport.ClientAuth.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(ServerTls.ClientAuth.values()).map(Enum::name).collect(Collectors.toList()));
    }

    @Test
    @DisplayName("typed values reach the parsed settings unchanged")
    void valuesRoundTrip() throws Exception {
        TestCertificates pki = new TestCertificates();
        Path cert = TestCertificates.writeChain(pki.server, dir.resolve("server.pem"));
        Path key = TestCertificates.writeKey(pki.server, dir.resolve("server.key"));
        Path ca = TestCertificates.writeCertificate(pki.ca.certificate(), dir.resolve("ca.pem"));
        TcpTransport.Settings typed = TcpTransport.settings().host("127.0.0.1").port(9000).maxFrameLength(65536)
                .authTimeout(Duration.ofMillis(2500)).writeTimeout(Duration.ofSeconds(7)).maxConnections(12)
                .highWaterMark(4096).maxPendingBytes(10_000).workerThreads(3).nativeTransport(false)
                .shutdownGracePeriod(Duration.ofMillis(250)).tlsCert(cert).tlsKey(key)
                .tlsClientAuth(TcpTransport.ClientAuth.OPTIONAL).tlsTrustCert(ca)
                .maxConnectionsPerIp(7).maxUnauthenticatedPerIp(3).rateLimitFramesPerSecond(50).rateLimitFramesBurst(60)
                .rateLimitBytesPerSecond(1 << 20).rateLimitBytesBurst(1 << 21).authFailureLimit(4)
                .authFailureWindow(Duration.ofSeconds(30)).authFailureBan(Duration.ofSeconds(2))
                .authFailureMaxBan(Duration.ofMinutes(1)).authFailureTrackedIps(500);
        TcpSettings parsed = TcpSettings.parse(Settings.of("transport 'tcp'", typed.asMap()));
        assertThat(parsed.bindAddress().getHostString()).isEqualTo("127.0.0.1");
        assertThat(parsed.bindAddress().getPort()).isEqualTo(9000);
        assertThat(parsed.maxFrameLength()).isEqualTo(65536);
        assertThat(parsed.authTimeout()).contains(Duration.ofMillis(2500));
        assertThat(parsed.writeTimeout()).contains(Duration.ofSeconds(7));
        assertThat(parsed.edge().maxConnections()).isEqualTo(12);
        // one setter of each kind (int, size, duration); EdgeSettingsTest checks the parsing of every key
        assertThat(parsed.edge().maxConnectionsPerIp()).isEqualTo(7);
        assertThat(parsed.edge().bytesBurst()).isEqualTo(1 << 21);
        assertThat(parsed.edge().authFailureBan()).isEqualTo(Duration.ofSeconds(2));
        assertThat(parsed.highWaterMark()).isEqualTo(4096);
        assertThat(parsed.maxPendingBytes()).isEqualTo(10_000);
        assertThat(parsed.workerThreads()).isEqualTo(3);
        assertThat(parsed.nativeTransport()).isFalse();
        assertThat(parsed.shutdownGracePeriod()).isEqualTo(Duration.ofMillis(250));
        assertThat(parsed.tls()).isPresent();
        assertThat(parsed.tlsDescription()).contains(cert.toString()).containsIgnoringCase("optional");
    }

    @Test
    @DisplayName("a typed value out of range fails build() with the string form's message")
    void outOfRangeFailsLikeTheStringForm() {
        HubConfig config = HubConfig.builder().actor((d, p) -> { })
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("u", "d"))).build();
        assertThatThrownBy(() -> TokServer.builder(config).transport(TcpTransport.settings().port(70000)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting 'port' for transport 'tcp' is '70000'; expected a port number 1-65535, or 0 for an ephemeral port");
        assertThatThrownBy(() -> TokServer.builder(config).transport(TcpTransport.settings().maxFrameLength(4)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("setting 'port' for transport 'tcp' is required");
    }

    @Test
    @DisplayName("a server built from typed settings accepts a client and delivers to it")
    void typedSettingsStartARealTransport() throws Exception {
        HubConfig config = HubConfig.builder().actor((d, p) -> { })
                .authenticator(r -> CompletableFuture.completedFuture(
                        Device.of(new String(r.firstFrame().orElseThrow(), StandardCharsets.UTF_8), "d")))
                .build();
        try (TokServer server = TokServer.builder(config)
                .transport(TcpTransport.settings().host("127.0.0.1").port(0).maxFrameLength(1024).workerThreads(1))
                .build().start();
                ClientConnection c = new FramedSocketClient().connect(server.address("tcp").orElseThrow(), "alice")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.hub().isOnline("alice"));
            SendResult r = server.hub().send("alice", "hello".getBytes(StandardCharsets.UTF_8), Duration.ZERO)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(c.receive(Duration.ofSeconds(10))).hasValueSatisfying(
                    b -> assertThat(new String(b, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT)).isEqualTo("hello"));
        }
    }
}
