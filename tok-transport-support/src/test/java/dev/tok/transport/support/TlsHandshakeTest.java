package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.spi.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The loaded material in real TLS handshakes over loopback, with the JDK's own sockets: the
 * client verifies the server's certificate (host name included), and client certificates are
 * verified against the configured trust and reported by {@link ServerTls#peerCertificates}.
 */
class TlsHandshakeTest {

    static TestKeys keys;

    @BeforeAll
    static void generate() throws Exception {
        keys = TestKeys.shared();
    }

    private static ServerTls tls(Map<String, String> settings) {
        return ServerTls.from(Settings.of("transport 'test'", settings)).orElseThrow();
    }

    /**
     * Accepts one connection, completes its handshake and answers one byte.
     *
     * @return the client certificates the server saw
     */
    private static List<X509Certificate> handshake(ServerTls tls, SSLContext client) throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) tls.sslContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setEnabledProtocols(ServerTls.PROTOCOLS.toArray(new String[0]));
            // one setter only: each resets the other
            if (tls.clientAuth() == ServerTls.ClientAuth.REQUIRE) {
                server.setNeedClientAuth(true);
            } else if (tls.clientAuth() == ServerTls.ClientAuth.OPTIONAL) {
                server.setWantClientAuth(true);
            }
            server.setSoTimeout(10_000);
            CompletableFuture<List<X509Certificate>> seen = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    s.getOutputStream().write(42);
                    s.getOutputStream().flush();
                    return ServerTls.peerCertificates(s.getSession());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket()) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name 127.0.0.1
                s.setSSLParameters(p);
                s.setSoTimeout(10_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 10_000);
                s.startHandshake();
                // with TLS 1.3 a refused client certificate only shows on the first read
                assertThat(s.getInputStream().read()).isEqualTo(42);
                assertThat(s.getSession().getProtocol()).isIn(ServerTls.PROTOCOLS);
            }
            return seen.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("PEM files, an encrypted PEM key and a PKCS#12 key store each serve the certificate")
    void serverCertificate() throws Exception {
        SSLContext client = keys.clientContext(null);
        assertThat(handshake(tls(Map.of("tls-cert", keys.path("server.pem"), "tls-key", keys.path("server.key"))), client))
                .isEmpty();
        assertThat(handshake(tls(Map.of("tls-cert", keys.path("server.pem"), "tls-key", keys.path("server-encrypted.key"),
                "tls-key-password", "s3cret")), client)).isEmpty();
        assertThat(handshake(tls(Map.of("tls-keystore", keys.path("server.jks"), "tls-keystore-password", "changeit")), client))
                .isEmpty();
    }

    @Test
    @DisplayName("client certificates required: a trusted one passes and is reported; none or an untrusted one fails")
    void requiredClientCertificate() throws Exception {
        ServerTls tls = tls(Map.of("tls-keystore", keys.path("server.p12"), "tls-keystore-password", "changeit",
                "tls-client-auth", "require", "tls-trust-cert", keys.path("client.pem")));
        assertThat(handshake(tls, keys.clientContext("client.p12"))).containsExactly(keys.clientCert);
        for (String wrong : new String[] {null, "stranger.p12"}) {
            assertThatThrownBy(() -> handshake(tls, keys.clientContext(wrong))).as("client identity %s", wrong)
                    .isInstanceOfAny(SSLException.class, IOException.class, ExecutionException.class);
        }
    }

    @Test
    @DisplayName("client certificates optional: a client without one passes, a trusted one is reported")
    void optionalClientCertificate() throws Exception {
        ServerTls tls = tls(Map.of("tls-cert", keys.path("server.pem"), "tls-key", keys.path("server.key"),
                "tls-client-auth", "optional", "tls-truststore", keys.path("trust.p12"), "tls-truststore-password", "changeit"));
        assertThat(handshake(tls, keys.clientContext(null))).isEmpty();
        assertThat(handshake(tls, keys.clientContext("client.p12"))).containsExactly(keys.clientCert);
    }

    @Test
    void noSessionNoCertificates() {
        assertThat(ServerTls.peerCertificates(null)).isEmpty();
    }
}
