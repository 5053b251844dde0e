package dev.tok.transport.netty.ws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.SendResult;
import dev.tok.api.TokServer;
import dev.tok.api.spi.Settings;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.WsSettings;
import dev.tok.transport.netty.ws.NettyWsTransport;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link NettyWsTransport#settings()}: one typed setter per key, the same keys and values as the string form. */
class TypedSettingsTest {

    /** {@code max-message-size} → {@code maxMessageSize}. */
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

    private static NettyWsTransport.Settings everySetter() {
        Path p = Path.of("/etc/tok/x.pem");
        return NettyWsTransport.settings().host("127.0.0.1").port(8443).path("/chat").maxMessageSize(65536)
                .pingInterval(Duration.ofSeconds(20)).messageType(NettyWsTransport.MessageType.BINARY)
                .allowedOrigins(List.of("https://a.example.com", "https://b.example.com")).permessageDeflate(true)
                .highWaterMark(4096).maxPendingBytes(8192).writeTimeout(Duration.ofMillis(1500))
                .stopTimeout(Duration.ZERO).tlsCert(p).tlsKey(p).tlsKeyPassword("k").tlsKeystore(p).tlsKeystorePassword("s")
                .tlsKeystoreType("JKS").tlsClientAuth(NettyWsTransport.ClientAuth.REQUIRE).tlsTrustCert(p).tlsTruststore(p)
                .tlsTruststorePassword("t").tlsTruststoreType("PKCS12").ioThreads(2)
                .maxConnections(5).maxConnectionsPerIp(0).maxUnauthenticatedPerIp(8).rateLimitFramesPerSecond(0)
                .rateLimitFramesBurst(5).rateLimitBytesPerSecond(1024).rateLimitBytesBurst(65536).authFailureLimit(3)
                .authFailureWindow(Duration.ofSeconds(10)).authFailureBan(Duration.ofSeconds(1))
                .authFailureMaxBan(Duration.ofMinutes(2)).authFailureTrackedIps(64);
    }

    @Test
    @DisplayName("every key the provider accepts has a typed setter named after it, and there is no other setter")
    void everyKeyHasASetter() {
        Set<String> setters = Arrays.stream(NettyWsTransport.Settings.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getReturnType() == NettyWsTransport.Settings.class)
                .map(Method::getName).collect(Collectors.toSet());
        Set<String> expected = new NettyWsProvider().settingNames().stream().map(TypedSettingsTest::setterName)
                .collect(Collectors.toSet());
        assertThat(setters).isEqualTo(expected);
    }

    @Test
    @DisplayName("calling every setter writes exactly the provider's keys, in the provider's formats")
    void everySetterWritesItsKey() {
        NettyWsTransport.Settings all = everySetter();
        assertThat(all.transport()).isEqualTo("netty-ws");
        assertThat(all.asMap().keySet()).isEqualTo(new NettyWsProvider().settingNames());
        assertThat(all.asMap()).containsEntry("port", "8443").containsEntry("message-type", "binary")
                .containsEntry("allowed-origins", "https://a.example.com,https://b.example.com")
                .containsEntry("permessage-deflate", "true").containsEntry("tls-client-auth", "require");
        assertThat(all.toString()).contains("tls-key-password=****").doesNotContain("=k,").doesNotContain("=s,");
        Settings s = Settings.of("transport 'netty-ws'", all.asMap());
        assertThat(s.duration("stop-timeout", null)).isZero();
        assertThat(s.enumValue("tls-client-auth", ServerTls.ClientAuth.class, ServerTls.ClientAuth.NONE))
                .isEqualTo(ServerTls.ClientAuth.REQUIRE);
        assertThat(Arrays.stream(NettyWsTransport.ClientAuth.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(ServerTls.ClientAuth.values()).map(Enum::name).collect(Collectors.toList()));
        assertThatThrownBy(() -> NettyWsTransport.settings().allowedOrigins(List.of("https://a,https://b")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("contains a comma");
    }

    @Test
    @DisplayName("typed values reach the parsed settings unchanged")
    void valuesRoundTrip() {
        NettyWsTransport.Settings typed = NettyWsTransport.settings().host("127.0.0.1").port(8443).path("/chat").maxMessageSize(65536)
                .pingInterval(Duration.ofSeconds(20)).messageType(NettyWsTransport.MessageType.BINARY)
                .allowedOrigins(List.of("https://a.example.com", "https://b.example.com:8443")).permessageDeflate(true)
                .highWaterMark(4096).maxPendingBytes(10_000).writeTimeout(Duration.ofMillis(1500))
                .stopTimeout(Duration.ofMillis(250)).ioThreads(3)
                .maxConnections(9).maxConnectionsPerIp(7).maxUnauthenticatedPerIp(3).rateLimitFramesPerSecond(50)
                .rateLimitFramesBurst(60).rateLimitBytesPerSecond(1 << 20).rateLimitBytesBurst(1 << 21).authFailureLimit(4)
                .authFailureWindow(Duration.ofSeconds(30)).authFailureBan(Duration.ofSeconds(2))
                .authFailureMaxBan(Duration.ofMinutes(1)).authFailureTrackedIps(500);
        WsSettings parsed = WsSettings.parse(Settings.of("transport 'netty-ws'", typed.asMap()), new NettyWsProvider().settingNames());
        HubConfig hub = HubConfig.builder().actor((d, p) -> { }).build();
        assertThat(parsed.host()).isEqualTo("127.0.0.1");
        assertThat(parsed.port()).isEqualTo(8443);
        assertThat(parsed.path()).isEqualTo("/chat");
        assertThat(parsed.maxMessageSize()).isEqualTo(65536);
        assertThat(parsed.pingInterval(hub)).isEqualTo(Duration.ofSeconds(20));
        assertThat(parsed.binary()).isTrue();
        assertThat(parsed.allowedOrigins()).containsExactly("https://a.example.com:443", "https://b.example.com:8443");
        assertThat(parsed.deflate()).isTrue();
        assertThat(parsed.highWaterMark()).isEqualTo(4096);
        assertThat(parsed.maxPendingBytes()).isEqualTo(10_000);
        assertThat(parsed.writeTimeout(hub)).isEqualTo(Duration.ofMillis(1500));
        assertThat(parsed.stopTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(parsed.edge().maxConnections()).isEqualTo(9);
        // one setter of each kind (int, size, duration); EdgeSettingsTest checks the parsing of every key
        assertThat(parsed.edge().maxConnectionsPerIp()).isEqualTo(7);
        assertThat(parsed.edge().bytesBurst()).isEqualTo(1 << 21);
        assertThat(parsed.edge().authFailureBan()).isEqualTo(Duration.ofSeconds(2));
        assertThat(parsed.tls()).isEmpty();
        NettyWsServerTransport transport = (NettyWsServerTransport) new NettyWsProvider()
                .create(Settings.of("transport 'netty-ws'", typed.asMap()));
        assertThat(transport.ioThreads()).isEqualTo(3);
        assertThat(transport.settings().path()).isEqualTo("/chat");
    }

    @Test
    @DisplayName("a typed value out of range fails build() with the string form's message")
    void outOfRangeFailsLikeTheStringForm() {
        HubConfig config = HubConfig.builder().actor((d, p) -> { })
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("u", "d"))).build();
        assertThatThrownBy(() -> TokServer.builder(config).transport(NettyWsTransport.settings().port(0).path("chat")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting 'path' for transport 'netty-ws' is 'chat'; expected an absolute path such as /ws, without query");
    }

    @Test
    @DisplayName("a server built from typed settings accepts a WebSocket client and delivers to it")
    void typedSettingsStartARealTransport() throws Exception {
        HubConfig config = HubConfig.builder().actor((d, p) -> { })
                .authenticator(r -> CompletableFuture.completedFuture(Device.of(r.queryParameter("token").orElseThrow(), "d")))
                .build();
        try (TokServer server = TokServer.builder(config)
                .transport(NettyWsTransport.settings().host("127.0.0.1").port(0).path("/chat").maxMessageSize(1024))
                .build().start()) {
            int port = ((InetSocketAddress) server.address("netty-ws").orElseThrow()).getPort();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /chat?token=alice HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.readUnsignedByte());
                }
                assertThat(head.toString()).startsWith("HTTP/1.1 101");
                await().atMost(Duration.ofSeconds(30)).until(() -> server.hub().isOnline("alice"));
                SendResult r = server.hub().send("alice", "hello".getBytes(StandardCharsets.UTF_8), Duration.ZERO)
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
                byte[] frame = new byte[7];
                in.readFully(frame);
                assertThat(frame[0] & 0xff).as("FIN + text").isEqualTo(0x81);
                assertThat(frame[1]).as("unmasked, 5 bytes").isEqualTo((byte) 5);
                assertThat(new String(frame, 2, 5, StandardCharsets.UTF_8)).isEqualTo("hello");
            }
        }
    }
}
