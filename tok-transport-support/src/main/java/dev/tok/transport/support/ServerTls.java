package dev.tok.transport.support;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

/**
 * A server's TLS material, read from the {@code tls-*} settings that every built-in transport
 * understands: the key and certificate chain from PEM files ({@code tls-cert}, {@code tls-key})
 * or a key store ({@code tls-keystore}), and optionally the certificates that client
 * certificates must chain to ({@code tls-trust-cert} or {@code tls-truststore}, with
 * {@code tls-client-auth}).
 *
 * <p>Every file is read and every combination checked in {@link #from(Settings)}, so a wrong path,
 * password or file fails when the server is built, with a {@link ConfigurationException} naming
 * the setting and the fix, never at the first handshake. The result holds JDK objects only
 * ({@link KeyManagerFactory}, {@link TrustManagerFactory}, {@link SSLContext}); each transport
 * hands them to its engine (Netty's {@code SslContextBuilder.forServer(KeyManagerFactory)},
 * Jetty's {@code SslContextFactory.setSslContext}). Immutable and thread-safe.
 */
public final class ServerTls {

    /** PEM certificate chain, leaf first. */
    public static final String CERT = "tls-cert";
    /** PEM PKCS#8 private key, possibly encrypted. */
    public static final String KEY = "tls-key";
    /** Password of an encrypted PEM key. */
    public static final String KEY_PASSWORD = "tls-key-password";
    /** PKCS#12 or JKS key store with the server's key and chain, instead of PEM files. */
    public static final String KEYSTORE = "tls-keystore";
    /** Password of the key store; it also unlocks the key. */
    public static final String KEYSTORE_PASSWORD = "tls-keystore-password";
    /** Type of the key store; by default from the file name. */
    public static final String KEYSTORE_TYPE = "tls-keystore-type";
    /** {@code none}, {@code optional} or {@code require}: client certificates. */
    public static final String CLIENT_AUTH = "tls-client-auth";
    /** PEM CA certificates that client certificates must chain to. */
    public static final String TRUST_CERT = "tls-trust-cert";
    /** A trust store instead of {@link #TRUST_CERT}. */
    public static final String TRUSTSTORE = "tls-truststore";
    /** Password of the trust store. */
    public static final String TRUSTSTORE_PASSWORD = "tls-truststore-password";
    /** Type of the trust store; by default from the file name. */
    public static final String TRUSTSTORE_TYPE = "tls-truststore-type";

    /** Every TLS setting. */
    public static final Set<String> NAMES = Set.of(CERT, KEY, KEY_PASSWORD, KEYSTORE, KEYSTORE_PASSWORD, KEYSTORE_TYPE,
            CLIENT_AUTH, TRUST_CERT, TRUSTSTORE, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE);

    /** The protocols every transport enables, newest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** The values of {@code tls-client-auth}; the names match Netty's {@code ClientAuth}. */
    public enum ClientAuth {
        /** No client certificate is requested (default). */
        NONE,
        /** A client certificate is requested, and verified if sent. */
        OPTIONAL,
        /** A verified client certificate is required: the handshake fails without one. */
        REQUIRE
    }

    private final KeyManagerFactory keyManagers;
    private final TrustManagerFactory trustManagers;
    private final ClientAuth clientAuth;
    private final SSLContext context;
    private final String description;

    private ServerTls(KeyManagerFactory keyManagers, TrustManagerFactory trustManagers, ClientAuth clientAuth,
            SSLContext context, String description) {
        this.keyManagers = keyManagers;
        this.trustManagers = trustManagers;
        this.clientAuth = clientAuth;
        this.context = context;
        this.description = description;
    }

    /**
     * Reads and checks the TLS settings.
     *
     * @param s a transport's settings
     * @return the TLS material, or empty when no certificate source is given (plain transport)
     * @throws ConfigurationException naming the setting and the fix: TLS settings without a
     *                                certificate source, conflicting sources, unreadable or
     *                                malformed files, wrong passwords, a key that does not belong
     *                                to the certificate
     */
    public static Optional<ServerTls> from(Settings s) {
        Optional<Path> cert = s.path(CERT);
        Optional<Path> key = s.path(KEY);
        Optional<Path> keystore = s.path(KEYSTORE);
        if (cert.isEmpty() && key.isEmpty() && keystore.isEmpty()) {
            for (String k : List.of(KEY_PASSWORD, KEYSTORE_PASSWORD, KEYSTORE_TYPE, CLIENT_AUTH, TRUST_CERT, TRUSTSTORE,
                    TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE)) {
                if (s.string(k).isPresent()) {
                    throw new ConfigurationException("setting '" + k + "' for " + s.owner() + " needs TLS, which is off: set "
                            + CERT + " and " + KEY + " (PEM) or " + KEYSTORE + ", or remove '" + k + "'");
                }
            }
            return Optional.empty();
        }
        if (keystore.isPresent() && (cert.isPresent() || key.isPresent())) {
            throw new ConfigurationException("settings for " + s.owner() + " give both " + KEYSTORE + " and PEM files (" + CERT
                    + "/" + KEY + "): choose one source for the server certificate");
        }
        if (keystore.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
            throw new ConfigurationException("setting '" + (cert.isEmpty() ? CERT : KEY) + "' for " + s.owner()
                    + " is required with PEM TLS: " + CERT + " is the certificate chain, " + KEY
                    + " the PKCS#8 private key (BEGIN PRIVATE KEY)");
        }
        if (keystore.isEmpty()) {
            for (String k : List.of(KEYSTORE_PASSWORD, KEYSTORE_TYPE)) {
                if (s.string(k).isPresent()) {
                    throw new ConfigurationException("setting '" + k + "' for " + s.owner() + " only applies with " + KEYSTORE
                            + "; remove it or use a keystore instead of PEM files");
                }
            }
        } else if (s.string(KEY_PASSWORD).isPresent()) {
            throw new ConfigurationException("setting '" + KEY_PASSWORD + "' for " + s.owner()
                    + " only applies to a PEM key; a keystore's key uses " + KEYSTORE_PASSWORD);
        }
        ClientAuth clientAuth = s.enumValue(CLIENT_AUTH, ClientAuth.class, ClientAuth.NONE);
        Optional<Path> trustCert = s.path(TRUST_CERT);
        Optional<Path> truststore = s.path(TRUSTSTORE);
        if (clientAuth == ClientAuth.NONE && (trustCert.isPresent() || truststore.isPresent())) {
            String k = trustCert.isPresent() ? TRUST_CERT : TRUSTSTORE;
            throw new ConfigurationException("setting '" + k + "' for " + s.owner() + " verifies client certificates, which "
                    + "are not requested: set " + CLIENT_AUTH + " to optional or require, or remove '" + k + "'");
        }
        if (clientAuth != ClientAuth.NONE && trustCert.isEmpty() && truststore.isEmpty()) {
            throw new ConfigurationException("setting '" + CLIENT_AUTH + "' for " + s.owner() + " is '"
                    + s.string(CLIENT_AUTH, "") + "' but nothing says which client certificates to trust: set " + TRUST_CERT
                    + " (PEM CA certificates) or " + TRUSTSTORE);
        }
        if (trustCert.isPresent() && truststore.isPresent()) {
            throw new ConfigurationException("settings for " + s.owner() + " give both " + TRUST_CERT + " and " + TRUSTSTORE
                    + ": choose one");
        }
        if (truststore.isEmpty()) {
            for (String k : List.of(TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE)) {
                if (s.string(k).isPresent()) {
                    throw new ConfigurationException("setting '" + k + "' for " + s.owner() + " only applies with " + TRUSTSTORE
                            + "; remove it");
                }
            }
        }

        KeyManagerFactory kmf;
        String source;
        if (keystore.isPresent()) {
            kmf = fromKeyStore(s, keystore.get());
            source = "keystore " + keystore.get();
        } else {
            kmf = fromPem(s, cert.get(), key.get());
            source = "PEM " + cert.get();
        }
        TrustManagerFactory tmf = null;
        String trust = "";
        if (clientAuth != ClientAuth.NONE) {
            Path from = trustCert.isPresent() ? trustCert.get() : truststore.get();
            tmf = trustCert.isPresent() ? trustFromPem(s, from) : trustFromStore(s, from);
            trust = ", client certificates " + clientAuth.name().toLowerCase(Locale.ROOT) + " (trusting " + from + ")";
        }
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("the TLS settings for " + s.owner() + " (" + source + ") do not form a usable "
                    + "server context: " + e.getMessage(), e);
        }
        return Optional.of(new ServerTls(kmf, tmf, clientAuth, context, "TLS from " + source + trust));
    }

    /** @return the key managers holding the server's key and certificate chain */
    public KeyManagerFactory keyManagerFactory() {
        return keyManagers;
    }

    /** @return the trust managers that verify client certificates; empty when {@link #clientAuth()} is NONE */
    public Optional<TrustManagerFactory> trustManagerFactory() {
        return Optional.ofNullable(trustManagers);
    }

    /** @return whether client certificates are requested or required */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /**
     * @return a server context initialized with {@link #keyManagerFactory()} and
     *         {@link #trustManagerFactory()}; the transport still sets {@link #clientAuth()} and
     *         {@link #PROTOCOLS} on its engines
     */
    public SSLContext sslContext() {
        return context;
    }

    /** @return where the material came from, for a start-up log line; holds no secret */
    public String description() {
        return description;
    }

    /**
     * @param session a handshaken TLS session, or null
     * @return the client's verified certificate chain, its own certificate first; empty when the
     *         client sent none (or there is no session)
     */
    public static List<X509Certificate> peerCertificates(SSLSession session) {
        if (session == null) {
            return List.of();
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate) {
                    chain.add((X509Certificate) c);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
        return List.copyOf(chain);
    }

    @Override
    public String toString() {
        return description;
    }

    private static KeyManagerFactory fromKeyStore(Settings s, Path file) {
        KeyStore ks = loadStore(s, KEYSTORE, file, KEYSTORE_PASSWORD, KEYSTORE_TYPE, "".toCharArray());
        List<String> keys = new ArrayList<>();
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("setting '" + KEYSTORE + "' for " + s.owner() + ": cannot list the entries of "
                    + file + ": " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new ConfigurationException("setting '" + KEYSTORE + "' for " + s.owner() + ": " + file
                    + " holds no private key entry; it needs the server's key and certificate chain");
        }
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, s.string(KEYSTORE_PASSWORD, "").toCharArray());
            return kmf;
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("setting '" + KEYSTORE + "' for " + s.owner() + ": the private key in " + file
                    + " cannot be used: " + e.getMessage() + "; check '" + KEYSTORE_PASSWORD
                    + "' (it must also unlock the key)", e);
        }
    }

    private static KeyManagerFactory fromPem(Settings s, Path certFile, Path keyFile) {
        List<X509Certificate> chain = Pem.certificates(s, CERT, certFile);
        PrivateKey key = Pem.privateKey(s, KEY, keyFile, KEY_PASSWORD, chain.get(0), CERT);
        char[] password = "tok".toCharArray();
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("tok", key, password, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            return kmf;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("settings '" + CERT + "'/'" + KEY + "' for " + s.owner() + " (" + certFile + ", "
                    + keyFile + ") cannot be combined into a server key: " + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory trustFromPem(Settings s, Path file) {
        List<X509Certificate> certificates = Pem.certificates(s, TRUST_CERT, file);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                ks.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return trustManagers(ks);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("setting '" + TRUST_CERT + "' for " + s.owner() + ": the certificates in " + file
                    + " cannot be trusted: " + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory trustFromStore(Settings s, Path file) {
        KeyStore ks = loadStore(s, TRUSTSTORE, file, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE, null);
        try {
            boolean any = false;
            for (String alias : Collections.list(ks.aliases())) {
                any |= ks.getCertificate(alias) != null;
            }
            if (!any) {
                throw new ConfigurationException("setting '" + TRUSTSTORE + "' for " + s.owner() + ": " + file
                        + " holds no certificate" + (s.string(TRUSTSTORE_PASSWORD).isEmpty()
                                ? "; if its certificates are encrypted, set '" + TRUSTSTORE_PASSWORD + "'" : ""));
            }
            return trustManagers(ks);
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("setting '" + TRUSTSTORE + "' for " + s.owner() + ": " + file
                    + " cannot be used to verify client certificates: " + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory trustManagers(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf;
    }

    /**
     * @param absentPassword the password when none is set: empty for a key store (its key needs
     *                       one), null for a trust store (reads certificates without checking
     *                       the store's integrity)
     */
    private static KeyStore loadStore(Settings s, String pathKey, Path file, String passwordKey, String typeKey,
            char[] absentPassword) {
        Pem.requireReadable(s, pathKey, file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = s.string(typeKey, name.endsWith(".jks") ? "JKS" : "PKCS12");
        char[] password = s.string(passwordKey).map(String::toCharArray).orElse(absentPassword);
        KeyStore ks;
        try {
            ks = KeyStore.getInstance(type);
        } catch (GeneralSecurityException e) {
            throw s.malformed(typeKey, type, "a keystore type this JVM supports, such as PKCS12 or JKS");
        }
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("setting '" + pathKey + "' for " + s.owner() + ": cannot open " + file + " as "
                    + type + ": " + e.getMessage() + "; check '" + passwordKey + "' and '" + typeKey + "'", e);
        }
    }
}
