package dev.tok.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's
 * {@code keytool}, as a PKCS#12 key store and as PEM files, plus a client context trusting it.
 */
final class TestCertificates {

    static final String PASSWORD = "changeit";

    final Path keyStore;
    final Path certPem;
    final Path keyPem;
    final SSLContext clientContext;

    private TestCertificates(Path keyStore, Path certPem, Path keyPem, SSLContext clientContext) {
        this.keyStore = keyStore;
        this.certPem = certPem;
        this.keyPem = keyPem;
        this.clientContext = clientContext;
    }

    static TestCertificates create(Path dir) throws IOException, GeneralSecurityException, InterruptedException {
        Path ks = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "tok", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey("tok", PASSWORD.toCharArray());
        Certificate cert = store.getCertificate("tok");
        Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Path certPem = dir.resolve("server.crt.pem");
        Files.writeString(certPem, "-----BEGIN CERTIFICATE-----\n" + mime.encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Path keyPem = dir.resolve("server.key.pem");
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("tok", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return new TestCertificates(ks, certPem, keyPem, ctx);
    }
}
