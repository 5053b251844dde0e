package dev.tok.transport.tcp.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test-only PKI generated in memory with BouncyCastle: a CA, a server certificate for
 * 127.0.0.1/localhost and client certificates. No private key is checked in.
 */
final class TestCertificates {

    static final char[] PASSWORD = "changeit".toCharArray();

    record Identity(KeyPair keys, X509Certificate certificate, X509Certificate issuer) {
    }

    final Identity ca;
    final Identity server;
    final Identity client;
    /** A client whose certificate is signed by a CA the server does not trust. */
    final Identity stranger;

    TestCertificates() throws Exception {
        ca = selfSigned("CN=tok test CA");
        server = issued(ca, "CN=localhost", true);
        client = issued(ca, "CN=tok test client", false);
        Identity otherCa = selfSigned("CN=someone else's CA");
        stranger = issued(otherCa, "CN=stranger", false);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    private static Identity selfSigned(String dn) throws Exception {
        KeyPair keys = keyPair();
        X500Name name = new X500Name(dn);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), notBefore(), notAfter(), name,
                keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = sign(b, keys.getPrivate());
        return new Identity(keys, cert, cert);
    }

    private static Identity issued(Identity issuer, String dn, boolean server) throws Exception {
        KeyPair keys = keyPair();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer.certificate(), serial(), notBefore(), notAfter(),
                new X500Name(dn), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        if (server) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())}));
        }
        return new Identity(keys, sign(b, issuer.keys().getPrivate()), issuer.certificate());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom());
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }

    /** Writes the certificate chain (leaf, then issuer) as PEM. */
    static Path writeChain(Identity id, Path file) throws IOException {
        return write(file, id.certificate(), id.issuer());
    }

    static Path writeCertificate(X509Certificate cert, Path file) throws IOException {
        return write(file, cert);
    }

    /** Writes the private key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
    static Path writeKey(Identity id, Path file) throws Exception {
        return write(file, new JcaPKCS8Generator(id.keys().getPrivate(), null).generate());
    }

    /** Writes the private key as encrypted PKCS#8 PEM ("BEGIN ENCRYPTED PRIVATE KEY"). */
    static Path writeEncryptedKey(Identity id, Path file, char[] password) throws Exception {
        OutputEncryptor enc = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setPassword(password)
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setRandom(new SecureRandom()).build();
        return write(file, new JcaPKCS8Generator(id.keys().getPrivate(), enc).generate());
    }

    private static Path write(Path file, Object... objects) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        }
        Files.writeString(file, s.toString(), StandardCharsets.US_ASCII);
        return file;
    }

    /** Writes a PKCS#12 keystore holding the identity's key and chain, protected by {@link #PASSWORD}. */
    static Path writePkcs12(Identity id, Path file) throws Exception {
        KeyStore ks = keyStore(id);
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD);
        }
        return file;
    }

    /** Writes a PKCS#12 truststore holding one certificate. */
    static Path writeTrustStore(X509Certificate cert, Path file) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", cert);
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD);
        }
        return file;
    }

    private static KeyStore keyStore(Identity id) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", id.keys().getPrivate(), PASSWORD, new X509Certificate[] {id.certificate(), id.issuer()});
        return ks;
    }

    /**
     * @param clientIdentity the client's certificate, or null for none
     * @return a client context trusting this CA
     */
    SSLContext clientContext(Identity clientIdentity) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientIdentity != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(clientIdentity), PASSWORD);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }
}
