package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS with a certificate generated in the test: PEM, encrypted PEM, PKCS#12, client-certificate auth. */
class TlsTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("observed");

    @TempDir
    static Path dir;
    static TestCertificates pki;

    @BeforeAll
    static void generate() throws Exception {
        pki = new TestCertificates();
        TestCertificates.writeChain(pki.server, dir.resolve("server.pem"));
        TestCertificates.writeKey(pki.server, dir.resolve("server.key"));
        TestCertificates.writeEncryptedKey(pki.server, dir.resolve("server-encrypted.key"), "s3cret".toCharArray());
        TestCertificates.writeCertificate(pki.ca.certificate(), dir.resolve("ca.pem"));
        TestCertificates.writePkcs12(pki.server, dir.resolve("server.p12"));
        TestCertificates.writeTrustStore(pki.ca.certificate(), dir.resolve("trust.p12"));
    }

    private static Map<String, String> pem() {
        return Map.of("tls-cert", dir.resolve("server.pem").toString(), "tls-key", dir.resolve("server.key").toString());
    }

    static FrameClient tlsClient(InetSocketAddress address, SSLContext ctx) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // verify the server certificate's IP SAN
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new FrameClient(s);
    }

    private static void exchange(TransportFixture f, FrameClient c, String uid) throws Exception {
        c.send("uid:" + uid);
        await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection(uid) != null);
        c.send("secret message");
        assertThat(new String(f.context.connection(uid).nextFrame(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("secret message");
        f.context.connection(uid).adapter.write(FrameClient.utf8("secret reply")).toCompletableFuture().get();
        assertThat(c.readString()).isEqualTo("secret reply");
    }

    @Test
    @DisplayName("PEM certificate chain and PKCS#8 key: frames travel over TLS, the client verifies the server")
    void pemCertificate() throws Exception {
        try (TransportFixture f = TransportFixture.start(pem()); FrameClient c = tlsClient(f.address, pki.clientContext(null))) {
            assertThat(((SSLSocket) c.socket).getSession().getProtocol()).startsWith("TLSv1.");
            LOG.info("TLS over PEM: negotiated {} {}", ((SSLSocket) c.socket).getSession().getProtocol(),
                    ((SSLSocket) c.socket).getSession().getCipherSuite());
            exchange(f, c, "tls-pem");
        }
    }

    @Test
    @DisplayName("an encrypted PKCS#8 key is opened with tls-key-password")
    void encryptedPemKey() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("tls-cert", dir.resolve("server.pem").toString(),
                "tls-key", dir.resolve("server-encrypted.key").toString(), "tls-key-password", "s3cret"));
                FrameClient c = tlsClient(f.address, pki.clientContext(null))) {
            exchange(f, c, "tls-encrypted");
        }
    }

    @Test
    @DisplayName("a PKCS#12 keystore")
    void pkcs12Keystore() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("tls-keystore", dir.resolve("server.p12").toString(),
                "tls-keystore-password", new String(TestCertificates.PASSWORD)));
                FrameClient c = tlsClient(f.address, pki.clientContext(null))) {
            exchange(f, c, "tls-p12");
        }
    }

    @Test
    @DisplayName("client auth required: a trusted client certificate passes; none or an untrusted one fails the handshake")
    void clientCertificateRequired() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(pem());
        settings.put("tls-client-auth", "require");
        settings.put("tls-trust-cert", dir.resolve("ca.pem").toString());
        try (TransportFixture f = TransportFixture.start(settings)) {
            try (FrameClient c = tlsClient(f.address, pki.clientContext(pki.client))) {
                exchange(f, c, "tls-mutual");
            }
            for (TestCertificates.Identity wrong : new TestCertificates.Identity[] {null, pki.stranger}) {
                // with TLS 1.3 the client may finish its handshake before the server rejects its certificate:
                // the rejection then surfaces on the first read
                assertThatThrownBy(() -> {
                    try (FrameClient c = tlsClient(f.address, pki.clientContext(wrong))) {
                        c.send("uid:intruder");
                        c.readFrame();
                    }
                }).isInstanceOfAny(javax.net.ssl.SSLException.class, java.net.SocketException.class, java.io.EOFException.class);
            }
            assertThat(f.context.authRequests).hasSize(1);
            assertThat(f.context.authRequests.get(0).peerCertificates())
                    .as("the authenticator sees who the client is").isNotEmpty()
                    .first().satisfies(c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=tok test client"));
        }
    }

    @Test
    @DisplayName("client auth with a PKCS#12 truststore")
    void clientCertificateWithTruststore() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("tls-keystore", dir.resolve("server.p12").toString(),
                "tls-keystore-password", "changeit", "tls-client-auth", "require",
                "tls-truststore", dir.resolve("trust.p12").toString(), "tls-truststore-password", "changeit"));
                FrameClient c = tlsClient(f.address, pki.clientContext(pki.client))) {
            exchange(f, c, "tls-truststore");
        }
    }

    @Test
    @DisplayName("a plain-TCP client on a TLS port is closed without reaching the authenticator")
    void plainClientOnTlsPort() throws Exception {
        try (TransportFixture f = TransportFixture.start(pem()); FrameClient c = FrameClient.connect(f.address)) {
            c.send("uid:plain");
            Duration took = c.awaitClosedByServer(Duration.ofSeconds(10));
            LOG.info("plain client on TLS port: closed after {} ms", took.toMillis());
            assertThat(f.context.authRequests).isEmpty();
        }
    }
}
