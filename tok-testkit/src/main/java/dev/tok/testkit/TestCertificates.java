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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's
 * {@code keytool}, as a PKCS#12 key store and as PEM files, plus a client context trusting it;
 * and a self-signed client certificate ({@code CN=tok client}) in a PKCS#12 key store that a
 * server can use as its trust store, with a client context presenting it.
 */
final class TestCertificates {

    static final String PASSWORD = "changeit";
    /** The subject of the client certificate. */
    static final String CLIENT_SUBJECT = "CN=tok client";

    final Path keyStore;
    final Path certPem;
    final Path keyPem;
    final SSLContext clientContext;
    /** The client certificate and its key, also usable as a server's trust store. */
    final Path clientKeyStore;
    /** Trusts the server certificate and presents the client certificate when asked. */
    final SSLContext clientCertificateContext;

    private TestCertificates(Path keyStore, Path certPem, Path keyPem, SSLContext clientContext, Path clientKeyStore,
            SSLContext clientCertificateContext) {
        this.keyStore = keyStore;
        this.certPem = certPem;
        this.keyPem = keyPem;
        this.clientContext = clientContext;
        this.clientKeyStore = clientKeyStore;
        this.clientCertificateContext = clientCertificateContext;
    }

    static TestCertificates create(Path dir) throws IOException, GeneralSecurityException, InterruptedException {
        Path ks = dir.resolve("server.p12");
        keytool(ks, "tok", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1");
        Path clientKs = dir.resolve("client.p12");
        keytool(clientKs, "client", CLIENT_SUBJECT);
        KeyStore store = load(ks);
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
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(clientKs), PASSWORD.toCharArray());
        SSLContext withCertificate = SSLContext.getInstance("TLS");
        withCertificate.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return new TestCertificates(ks, certPem, keyPem, ctx, clientKs, withCertificate);
    }

    /** Generates an EC key pair with a self-signed certificate valid two days into a new PKCS#12 store. */
    private static void keytool(Path store, String alias, String dname, String... more) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-keypass", PASSWORD));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }
}
