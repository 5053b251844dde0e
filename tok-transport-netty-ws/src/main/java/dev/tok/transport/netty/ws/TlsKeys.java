package dev.tok.transport.netty.ws;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;

/**
 * The server's TLS key and certificate chain, loaded once from PEM files ({@code tls-cert} and
 * {@code tls-key}) or from a key store ({@code tls-keystore}). Kept identical in both WebSocket
 * modules (package name aside).
 */
public final class TlsKeys {

    private final KeyStore keyStore;
    private final char[] password;

    private TlsKeys(KeyStore keyStore, char[] password) {
        this.keyStore = keyStore;
        this.password = password;
    }

    /** @return a key store holding exactly one key entry */
    public KeyStore keyStore() {
        return keyStore;
    }

    /** @return the password of the key store and of its key */
    public char[] password() {
        return password.clone();
    }

    /** @return key managers for this key */
    public KeyManagerFactory keyManagerFactory() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, password);
            return kmf;
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("the TLS key cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * @param s the transport's settings
     * @return the TLS material, or empty when no TLS setting is given
     * @throws ConfigurationException when files are missing, unreadable or inconsistent
     */
    public static Optional<TlsKeys> from(Settings s) {
        Optional<Path> cert = s.path("tls-cert");
        Optional<Path> key = s.path("tls-key");
        Optional<Path> store = s.path("tls-keystore");
        if (store.isPresent() && (cert.isPresent() || key.isPresent())) {
            throw new ConfigurationException("settings 'tls-keystore' and 'tls-cert'/'tls-key' for " + s.owner()
                    + " exclude each other: give either a key store or PEM files");
        }
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigurationException("settings 'tls-cert' and 'tls-key' for " + s.owner()
                    + " go together: give the PEM certificate chain and the PEM private key (PKCS#8)");
        }
        if (store.isEmpty() && s.string("tls-keystore-password").isPresent()) {
            throw new ConfigurationException("setting 'tls-keystore-password' for " + s.owner() + " needs 'tls-keystore'");
        }
        if (store.isEmpty() && s.string("tls-keystore-type").isPresent()) {
            throw new ConfigurationException("setting 'tls-keystore-type' for " + s.owner() + " needs 'tls-keystore'");
        }
        if (key.isEmpty() && s.string("tls-key-password").isPresent()) {
            throw new ConfigurationException("setting 'tls-key-password' for " + s.owner() + " needs 'tls-cert' and 'tls-key'");
        }
        if (store.isPresent()) {
            return Optional.of(fromKeyStore(s, store.get()));
        }
        if (cert.isPresent()) {
            return Optional.of(fromPem(s, cert.get(), key.get()));
        }
        return Optional.empty();
    }

    private static TlsKeys fromKeyStore(Settings s, Path file) {
        char[] password = s.string("tls-keystore-password", "").toCharArray();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = s.string("tls-keystore-type", name.endsWith(".jks") ? "JKS" : "PKCS12");
        byte[] bytes = read(s, "tls-keystore", file);
        try {
            KeyStore ks = KeyStore.getInstance(type);
            try (InputStream in = new ByteArrayInputStream(bytes)) {
                ks.load(in, password);
            }
            List<String> keys = new ArrayList<>();
            for (String alias : java.util.Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.isEmpty()) {
                throw new ConfigurationException("setting 'tls-keystore' for " + s.owner() + ": " + file
                        + " holds no private key entry; it needs the server's key and certificate chain");
            }
            KeyStore single = KeyStore.getInstance("PKCS12");
            single.load(null, null);
            PrivateKey pk = (PrivateKey) ks.getKey(keys.get(0), password);
            single.setKeyEntry("tok", pk, password, ks.getCertificateChain(keys.get(0)));
            return new TlsKeys(single, password);
        } catch (IOException e) {
            throw new ConfigurationException("setting 'tls-keystore' for " + s.owner() + ": cannot open " + file + " as "
                    + type + " (wrong 'tls-keystore-password' or 'tls-keystore-type'?): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("setting 'tls-keystore' for " + s.owner() + ": cannot read the key in " + file
                    + ": " + e.getMessage(), e);
        }
    }

    private static TlsKeys fromPem(Settings s, Path certFile, Path keyFile) {
        Collection<? extends Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(read(s, "tls-cert", certFile)));
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("setting 'tls-cert' for " + s.owner() + ": " + certFile
                    + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new ConfigurationException("setting 'tls-cert' for " + s.owner() + ": " + certFile + " holds no certificate");
        }
        String pem = new String(read(s, "tls-key", keyFile), StandardCharsets.US_ASCII);
        char[] password = s.string("tls-key-password", "").toCharArray();
        byte[] pkcs8;
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            pkcs8 = block(pem, "PRIVATE KEY");
        } else if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            pkcs8 = decrypt(s, keyFile, block(pem, "ENCRYPTED PRIVATE KEY"), password);
        } else if (pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new ConfigurationException("setting 'tls-key' for " + s.owner() + ": " + keyFile + " is a PKCS#1/SEC1 key; "
                    + "convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + keyFile + " -out key.pk8.pem");
        } else {
            throw new ConfigurationException("setting 'tls-key' for " + s.owner() + ": " + keyFile
                    + " holds no '-----BEGIN PRIVATE KEY-----' block (PEM, PKCS#8)");
        }
        Certificate leaf = chain.iterator().next();
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(leaf.getPublicKey().getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("setting 'tls-key' for " + s.owner() + ": " + keyFile + " is not a "
                    + leaf.getPublicKey().getAlgorithm() + " private key matching 'tls-cert': " + e.getMessage(), e);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] storePassword = password.length == 0 ? "tok".toCharArray() : password;
            ks.setKeyEntry("tok", key, storePassword, chain.toArray(new Certificate[0]));
            return new TlsKeys(ks, storePassword);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("settings 'tls-cert'/'tls-key' for " + s.owner() + " cannot be combined: "
                    + e.getMessage(), e);
        }
    }

    private static byte[] decrypt(Settings s, Path keyFile, byte[] der, char[] password) {
        if (password.length == 0) {
            throw new ConfigurationException("setting 'tls-key' for " + s.owner() + ": " + keyFile
                    + " is encrypted; set 'tls-key-password'");
        }
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            String algorithm = info.getAlgParameters() != null ? info.getAlgParameters().toString() : info.getAlgName();
            SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(password)), info.getAlgParameters());
            return info.getKeySpec(cipher).getEncoded();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("setting 'tls-key' for " + s.owner() + ": cannot decrypt " + keyFile
                    + " (wrong 'tls-key-password'?): " + e.getMessage(), e);
        }
    }

    private static byte[] block(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin) + begin.length();
        int to = pem.indexOf(end, from);
        if (to < 0) {
            to = pem.length();
        }
        return Base64.getMimeDecoder().decode(pem.substring(from, to));
    }

    private static byte[] read(Settings s, String key, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": cannot read " + file + ": " + e, e);
        }
    }
}
