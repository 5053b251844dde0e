package dev.tok.transport.tcp;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the server's TLS context from the {@code tls-*} settings: certificate chain and
 * PKCS#8 key from PEM files, or a PKCS#12/JKS keystore; optionally client-certificate
 * authentication against PEM CA certificates or a truststore. Every file is read here, so a
 * bad path, password or PEM file fails at configuration time.
 */
final class TlsContexts {

    /** The accepted values of {@code tls-client-auth}. */
    enum ClientAuthMode {
        /** No client certificate is requested (default). */
        NONE,
        /** A client certificate is requested and verified if sent. */
        OPTIONAL,
        /** A verified client certificate is required. */
        REQUIRE
    }

    /**
     * @param context     the server context, or empty for plain TCP
     * @param description for the start-up log line, without secrets
     */
    record Result(Optional<SslContext> context, String description) {
    }

    private TlsContexts() {
    }

    static Result fromSettings(Settings s) {
        Optional<Path> cert = s.path(TcpSettings.TLS_CERT_PATH);
        Optional<Path> key = s.path(TcpSettings.TLS_KEY_PATH);
        Optional<Path> keystore = s.path(TcpSettings.TLS_KEYSTORE_PATH);
        ClientAuthMode clientAuth = s.enumValue(TcpSettings.TLS_CLIENT_AUTH, ClientAuthMode.class, ClientAuthMode.NONE);
        Optional<Path> trustCert = s.path(TcpSettings.TLS_TRUST_CERT_PATH);
        Optional<Path> truststore = s.path(TcpSettings.TLS_TRUSTSTORE_PATH);

        if (cert.isEmpty() && key.isEmpty() && keystore.isEmpty()) {
            for (String k : new String[] {TcpSettings.TLS_KEY_PASSWORD, TcpSettings.TLS_KEYSTORE_PASSWORD,
                    TcpSettings.TLS_KEYSTORE_TYPE, TcpSettings.TLS_CLIENT_AUTH, TcpSettings.TLS_TRUST_CERT_PATH,
                    TcpSettings.TLS_TRUSTSTORE_PATH, TcpSettings.TLS_TRUSTSTORE_PASSWORD, TcpSettings.TLS_TRUSTSTORE_TYPE}) {
                if (s.string(k).isPresent()) {
                    throw new ConfigurationException("setting '" + k + "' for " + s.owner() + " needs TLS, which is off: set "
                            + TcpSettings.TLS_CERT_PATH + " and " + TcpSettings.TLS_KEY_PATH + " (PEM) or "
                            + TcpSettings.TLS_KEYSTORE_PATH + ", or remove '" + k + "'");
                }
            }
            return new Result(Optional.empty(), "plain TCP");
        }
        if (keystore.isPresent() && (cert.isPresent() || key.isPresent())) {
            throw new ConfigurationException("settings for " + s.owner() + " give both " + TcpSettings.TLS_KEYSTORE_PATH
                    + " and PEM files (" + TcpSettings.TLS_CERT_PATH + "/" + TcpSettings.TLS_KEY_PATH
                    + "): choose one source for the server certificate");
        }
        if (keystore.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
            String missing = cert.isEmpty() ? TcpSettings.TLS_CERT_PATH : TcpSettings.TLS_KEY_PATH;
            throw new ConfigurationException("setting '" + missing + "' for " + s.owner() + " is required with PEM TLS: "
                    + TcpSettings.TLS_CERT_PATH + " is the certificate chain, " + TcpSettings.TLS_KEY_PATH
                    + " the PKCS#8 private key (BEGIN PRIVATE KEY)");
        }
        if (keystore.isEmpty()) {
            for (String k : new String[] {TcpSettings.TLS_KEYSTORE_PASSWORD, TcpSettings.TLS_KEYSTORE_TYPE}) {
                if (s.string(k).isPresent()) {
                    throw new ConfigurationException("setting '" + k + "' for " + s.owner() + " only applies with "
                            + TcpSettings.TLS_KEYSTORE_PATH + "; remove it or use a keystore instead of PEM files");
                }
            }
        } else if (s.string(TcpSettings.TLS_KEY_PASSWORD).isPresent()) {
            throw new ConfigurationException("setting '" + TcpSettings.TLS_KEY_PASSWORD + "' for " + s.owner()
                    + " only applies to a PEM key; a keystore's key uses " + TcpSettings.TLS_KEYSTORE_PASSWORD);
        }
        if (clientAuth == ClientAuthMode.NONE && (trustCert.isPresent() || truststore.isPresent())) {
            String k = trustCert.isPresent() ? TcpSettings.TLS_TRUST_CERT_PATH : TcpSettings.TLS_TRUSTSTORE_PATH;
            throw new ConfigurationException("setting '" + k + "' for " + s.owner() + " verifies client certificates, which "
                    + "are not requested: set " + TcpSettings.TLS_CLIENT_AUTH + " to optional or require, or remove '" + k + "'");
        }
        if (clientAuth != ClientAuthMode.NONE && trustCert.isEmpty() && truststore.isEmpty()) {
            throw new ConfigurationException("setting '" + TcpSettings.TLS_CLIENT_AUTH + "' for " + s.owner() + " is '"
                    + s.string(TcpSettings.TLS_CLIENT_AUTH, "") + "' but nothing says which client certificates to trust: set "
                    + TcpSettings.TLS_TRUST_CERT_PATH + " (PEM CA certificates) or " + TcpSettings.TLS_TRUSTSTORE_PATH);
        }
        if (trustCert.isPresent() && truststore.isPresent()) {
            throw new ConfigurationException("settings for " + s.owner() + " give both " + TcpSettings.TLS_TRUST_CERT_PATH
                    + " and " + TcpSettings.TLS_TRUSTSTORE_PATH + ": choose one");
        }
        if (truststore.isEmpty()) {
            for (String k : new String[] {TcpSettings.TLS_TRUSTSTORE_PASSWORD, TcpSettings.TLS_TRUSTSTORE_TYPE}) {
                if (s.string(k).isPresent()) {
                    throw new ConfigurationException("setting '" + k + "' for " + s.owner() + " only applies with "
                            + TcpSettings.TLS_TRUSTSTORE_PATH + "; remove it");
                }
            }
        }

        SslContextBuilder builder;
        String source;
        if (keystore.isPresent()) {
            KeyStore ks = loadStore(s, TcpSettings.TLS_KEYSTORE_PATH, keystore.get(), TcpSettings.TLS_KEYSTORE_PASSWORD,
                    TcpSettings.TLS_KEYSTORE_TYPE);
            requirePrivateKey(s, ks, keystore.get());
            char[] password = s.string(TcpSettings.TLS_KEYSTORE_PASSWORD, "").toCharArray();
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
                builder = SslContextBuilder.forServer(kmf);
            } catch (GeneralSecurityException e) {
                throw new ConfigurationException("the private key in keystore " + keystore.get() + " (setting '"
                        + TcpSettings.TLS_KEYSTORE_PATH + "' for " + s.owner() + ") cannot be used: " + e.getMessage()
                        + "; check " + TcpSettings.TLS_KEYSTORE_PASSWORD + " (it must also unlock the key)", e);
            }
            source = "keystore " + keystore.get();
        } else {
            requireReadable(s, TcpSettings.TLS_CERT_PATH, cert.get());
            requireReadable(s, TcpSettings.TLS_KEY_PATH, key.get());
            String keyPassword = s.string(TcpSettings.TLS_KEY_PASSWORD).orElse(null);
            try {
                builder = SslContextBuilder.forServer(cert.get().toFile(), key.get().toFile(), keyPassword);
            } catch (RuntimeException e) {
                throw new ConfigurationException("the PEM certificate " + cert.get() + " or key " + key.get() + " (settings '"
                        + TcpSettings.TLS_CERT_PATH + "', '" + TcpSettings.TLS_KEY_PATH + "' for " + s.owner()
                        + ") cannot be read: " + e.getMessage() + "; the key must be PKCS#8 ('BEGIN PRIVATE KEY', convert with "
                        + "'openssl pkcs8 -topk8 -nocrypt'), encrypted keys need " + TcpSettings.TLS_KEY_PASSWORD, e);
            }
            source = "PEM " + cert.get();
        }

        builder.sslProvider(SslProvider.JDK);
        String trust = "";
        if (clientAuth != ClientAuthMode.NONE) {
            builder.clientAuth(clientAuth == ClientAuthMode.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            if (trustCert.isPresent()) {
                requireReadable(s, TcpSettings.TLS_TRUST_CERT_PATH, trustCert.get());
                try {
                    builder.trustManager(trustCert.get().toFile());
                } catch (RuntimeException e) {
                    throw new ConfigurationException("the PEM CA certificates " + trustCert.get() + " (setting '"
                            + TcpSettings.TLS_TRUST_CERT_PATH + "' for " + s.owner() + ") cannot be read: " + e.getMessage(), e);
                }
                trust = ", client certificates " + clientAuth.name().toLowerCase(Locale.ROOT) + " (trusting " + trustCert.get() + ")";
            } else {
                KeyStore ts = loadStore(s, TcpSettings.TLS_TRUSTSTORE_PATH, truststore.get(), TcpSettings.TLS_TRUSTSTORE_PASSWORD,
                        TcpSettings.TLS_TRUSTSTORE_TYPE);
                try {
                    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(ts);
                    builder.trustManager(tmf);
                } catch (GeneralSecurityException e) {
                    throw new ConfigurationException("truststore " + truststore.get() + " (setting '"
                            + TcpSettings.TLS_TRUSTSTORE_PATH + "' for " + s.owner() + ") cannot be used: " + e.getMessage(), e);
                }
                trust = ", client certificates " + clientAuth.name().toLowerCase(Locale.ROOT) + " (trusting " + truststore.get() + ")";
            }
        }
        try {
            return new Result(Optional.of(builder.build()), "TLS from " + source + trust);
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("the TLS settings for " + s.owner() + " (" + source + ") do not form a usable "
                    + "server context: " + e.getMessage(), e);
        }
    }

    private static void requireReadable(Settings s, String setting, Path path) {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ConfigurationException("setting '" + setting + "' for " + s.owner() + " is '" + path
                    + "', which is not a readable file; give the path of an existing file");
        }
    }

    private static KeyStore loadStore(Settings s, String pathKey, Path path, String passwordKey, String typeKey) {
        requireReadable(s, pathKey, path);
        String lower = path.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = s.string(typeKey, lower.endsWith(".jks") ? "JKS" : "PKCS12");
        char[] password = s.string(passwordKey, "").toCharArray();
        KeyStore ks;
        try {
            ks = KeyStore.getInstance(type);
        } catch (GeneralSecurityException e) {
            throw s.malformed(typeKey, type, "a keystore type this JVM supports, such as PKCS12 or JKS");
        }
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("keystore " + path + " (setting '" + pathKey + "' for " + s.owner()
                    + ") cannot be opened as " + type + ": " + e.getMessage() + "; check '" + passwordKey + "' and '"
                    + typeKey + "'", e);
        }
    }

    private static void requirePrivateKey(Settings s, KeyStore ks, Path path) {
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    return;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("keystore " + path + " cannot be read: " + e.getMessage(), e);
        }
        throw new ConfigurationException("keystore " + path + " (setting '" + TcpSettings.TLS_KEYSTORE_PATH + "' for "
                + s.owner() + ") holds no private key entry; it needs the server's key and certificate chain");
    }
}
