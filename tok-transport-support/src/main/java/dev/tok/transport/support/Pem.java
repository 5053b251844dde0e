package dev.tok.transport.support;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PEM files read with the JDK alone: X.509 certificates, and PKCS#8 private keys, plain
 * ({@code BEGIN PRIVATE KEY}) or password-encrypted ({@code BEGIN ENCRYPTED PRIVATE KEY}).
 * PKCS#1 and SEC1 keys are refused with the {@code openssl} command that converts them.
 */
final class Pem {

    private static final String PRIVATE_KEY = "PRIVATE KEY";
    private static final String ENCRYPTED_PRIVATE_KEY = "ENCRYPTED PRIVATE KEY";

    private Pem() {
    }

    /**
     * @param s    the settings, for messages
     * @param key  the setting naming the file
     * @param file the file
     * @return its certificates in file order, at least one
     */
    static List<X509Certificate> certificates(Settings s, String key, Path file) {
        byte[] bytes = read(s, key, file);
        Collection<? extends Certificate> found;
        try {
            found = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": " + file
                    + " is not a PEM certificate file (BEGIN CERTIFICATE): " + e.getMessage(), e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (Certificate c : found) {
            if (c instanceof X509Certificate) {
                certificates.add((X509Certificate) c);
            }
        }
        if (certificates.isEmpty()) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": " + file
                    + " holds no certificate (BEGIN CERTIFICATE)");
        }
        return List.copyOf(certificates);
    }

    /**
     * @param s           the settings, for messages
     * @param key         the setting naming the key file
     * @param file        the key file
     * @param passwordKey the setting holding the password of an encrypted key
     * @param leaf        the certificate the key must belong to
     * @param certKey     the setting naming the certificate file, for messages
     * @return the private key, checked to belong to {@code leaf}
     */
    static PrivateKey privateKey(Settings s, String key, Path file, String passwordKey, X509Certificate leaf, String certKey) {
        String pem = new String(read(s, key, file), StandardCharsets.US_ASCII);
        Optional<String> password = s.string(passwordKey);
        byte[] pkcs8;
        if (pem.contains(begin(PRIVATE_KEY))) {
            if (password.isPresent()) {
                throw new ConfigurationException("setting '" + passwordKey + "' for " + s.owner() + " is given but " + file
                        + " ('" + key + "') is not encrypted: remove '" + passwordKey + "'");
            }
            pkcs8 = block(s, key, file, pem, PRIVATE_KEY);
        } else if (pem.contains(begin(ENCRYPTED_PRIVATE_KEY))) {
            if (password.isEmpty()) {
                throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": " + file
                        + " is encrypted; set '" + passwordKey + "'");
            }
            pkcs8 = decrypt(s, key, file, passwordKey, block(s, key, file, pem, ENCRYPTED_PRIVATE_KEY),
                    password.get().toCharArray());
        } else if (pem.contains(begin("RSA PRIVATE KEY")) || pem.contains(begin("EC PRIVATE KEY"))) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": " + file + " is a PKCS#1/SEC1 key; "
                    + "convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8.pem");
        } else {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": " + file
                    + " holds no '" + begin(PRIVATE_KEY) + "' block (PEM, PKCS#8)");
        }
        String algorithm = leaf.getPublicKey().getAlgorithm();
        PrivateKey privateKey;
        try {
            privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": " + file + " is not an " + algorithm
                    + " private key, as the certificate in '" + certKey + "' needs: " + e.getMessage(), e);
        }
        if (!belongsTo(privateKey, leaf)) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": " + file + " is not the private key "
                    + "of the certificate in '" + certKey + "' (" + leaf.getSubjectX500Principal().getName()
                    + "): give the key the certificate was issued for");
        }
        return privateKey;
    }

    /** Signs a random probe with the key and verifies it with the certificate's public key. */
    private static boolean belongsTo(PrivateKey key, X509Certificate leaf) {
        String signature;
        switch (key.getAlgorithm()) {
            case "RSA":
                signature = "SHA256withRSA";
                break;
            case "EC":
                signature = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
            case "Ed448":
                signature = key.getAlgorithm();
                break;
            default:
                return true; // no probe for this algorithm: the handshake will tell
        }
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        try {
            Signature sign = Signature.getInstance(signature);
            sign.initSign(key);
            sign.update(probe);
            byte[] signed = sign.sign();
            Signature verify = Signature.getInstance(signature);
            verify.initVerify(leaf.getPublicKey());
            verify.update(probe);
            return verify.verify(signed);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] decrypt(Settings s, String key, Path file, String passwordKey, byte[] der, char[] password) {
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            // For PBES2 the algorithm parameters name the real cipher (PBEWithHmacSHA256AndAES_256);
            // the algorithm name alone would only say PBES2.
            String algorithm = info.getAlgParameters() != null && info.getAlgName().toUpperCase(java.util.Locale.ROOT)
                    .matches("PBES2|1\\.2\\.840\\.113549\\.1\\.5\\.13") ? info.getAlgParameters().toString() : info.getAlgName();
            SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(password)), info.getAlgParameters());
            return info.getKeySpec(cipher).getEncoded();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": cannot decrypt " + file
                    + " (wrong '" + passwordKey + "'?): " + e.getMessage(), e);
        }
    }

    private static String begin(String label) {
        return "-----BEGIN " + label + "-----";
    }

    private static byte[] block(Settings s, String key, Path file, String pem, String label) {
        int from = pem.indexOf(begin(label)) + begin(label).length();
        int to = pem.indexOf("-----END " + label + "-----", from);
        if (to < 0) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": " + file + " has no '-----END "
                    + label + "-----' line: the file is cut short");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(from, to));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": the " + label + " block in " + file
                    + " is not base64: " + e.getMessage(), e);
        }
    }

    /** Checks that a file exists and can be read, so that the message names the setting, not an I/O class. */
    static void requireReadable(Settings s, String key, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + " is '" + file
                    + "', which is not a readable file; give the path of an existing file");
        }
    }

    private static byte[] read(Settings s, String key, Path file) {
        requireReadable(s, key, file);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigurationException("setting '" + key + "' for " + s.owner() + ": cannot read " + file + ": " + e, e);
        }
    }
}
