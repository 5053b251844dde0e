package dev.tok.transport.netty.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-certificate authentication on wss ({@code tls-client-auth}, shared with {@code tcp}): the
 * verified chain reaches the authenticator; without a trusted certificate no request does.
 */
class ClientCertificateTest {

    private static final String TRANSPORT = "netty-ws";
    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;

    private final List<AuthRequest> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void keys() throws Exception {
        keytool("server", "CN=localhost", "-ext", "SAN=ip:127.0.0.1");
        keytool("client", "CN=tok client");
    }

    private static void keytool(String alias, String dname, String... more) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-alias", alias, "-keyalg", "EC", "-dname", dname, "-validity", "2", "-keystore",
                dir.resolve(alias + ".p12").toString(), "-storepass", PASSWORD));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(new String(output, StandardCharsets.UTF_8)).isTrue();
    }

    private static KeyStore load(String alias) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(alias + ".p12"))) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private TokServer start(String clientAuth) {
        HubConfig config = HubConfig.builder().actor((device, payload) -> { })
                .authenticator(r -> {
                    requests.add(r);
                    return CompletableFuture.completedFuture(Device.of("u" + requests.size(), "d"));
                })
                .readTimeout(Duration.ofMinutes(1)).build();
        return TokServer.builder(config).transport(TRANSPORT, Map.of("host", "127.0.0.1", "port", "0",
                "tls-keystore", dir.resolve("server.p12").toString(), "tls-keystore-password", PASSWORD,
                "tls-client-auth", clientAuth, "tls-truststore", dir.resolve("client.p12").toString(),
                "tls-truststore-password", PASSWORD)).build().start();
    }

    /** @return the status line of the answer to a WebSocket upgrade request sent over TLS */
    private static String upgrade(TokServer tok, boolean withCertificate) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load("server"));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load("client"), PASSWORD.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(withCertificate ? kmf.getKeyManagers() : null, tmf.getTrustManagers(), null);
        int port = ((InetSocketAddress) tok.listeners().get(0).address()).getPort();
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder line = new StringBuilder();
            for (int c = s.getInputStream().read(); c != '\r'; c = s.getInputStream().read()) {
                if (c < 0) {
                    throw new IOException("closed by the server after \"" + line + "\"");
                }
                line.append((char) c);
            }
            return line.toString();
        }
    }

    @Test
    @DisplayName("tls-client-auth=require: a trusted client is upgraded and authenticated by its certificate; one without is not")
    void required() throws Exception {
        try (TokServer tok = start("require")) {
            assertThat(upgrade(tok, true)).startsWith("HTTP/1.1 101");
            assertThat(requests).singleElement().satisfies(r -> assertThat(r.peerCertificates()).extracting(
                    (X509Certificate c) -> c.getSubjectX500Principal().getName()).containsExactly("CN=tok client"));
            // TLS 1.3: the refusal of the missing certificate may only show on the first read
            assertThatThrownBy(() -> upgrade(tok, false)).isInstanceOf(IOException.class);
            assertThat(requests).hasSize(1);
        }
    }

    @Test
    @DisplayName("tls-client-auth=optional: a client without a certificate is upgraded, with no peer certificates")
    void optional() throws Exception {
        try (TokServer tok = start("optional")) {
            assertThat(upgrade(tok, false)).startsWith("HTTP/1.1 101");
            assertThat(requests).singleElement().satisfies(r -> assertThat(r.peerCertificates()).isEmpty());
        }
    }
}
