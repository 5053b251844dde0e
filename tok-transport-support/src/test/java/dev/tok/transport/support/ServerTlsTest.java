package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code tls-*} settings of every built-in transport: each accepted source of key, chain and
 * trust, and every mistake refused with a ConfigurationException naming the setting and the fix.
 */
class ServerTlsTest {

    static TestKeys keys;
    static Path dir;

    @BeforeAll
    static void generate() throws Exception {
        keys = TestKeys.shared();
        dir = keys.dir;
    }

    /** @param kv key=value pairs, comma-separated; {@code $DIR} is the directory of the generated files */
    private static ServerTls tls(String kv) {
        Map<String, String> m = new HashMap<>();
        if (!kv.isEmpty()) {
            for (String pair : kv.split(",")) {
                String[] p = pair.split("=", 2);
                m.put(p[0], p[1].replace("$DIR", dir.toString()));
            }
        }
        return ServerTls.from(Settings.of("transport 'test'", m)).orElse(null);
    }

    private static X509Certificate served(ServerTls tls) {
        X509KeyManager km = (X509KeyManager) tls.keyManagerFactory().getKeyManagers()[0];
        String alias = km.chooseServerAlias("EC", null, null);
        assertThat(alias).as("a server key for EC").isNotNull();
        return km.getCertificateChain(alias)[0];
    }

    @Test
    @DisplayName("no certificate source and no other tls-* key: plain transport")
    void plain() {
        assertThat(tls("")).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "PEM chain and PKCS#8 key|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key|TLS from PEM",
        "encrypted PKCS#8 key (PBES2, AES-256)|tls-cert=$DIR/server.pem,tls-key=$DIR/server-encrypted.key,tls-key-password=s3cret|TLS from PEM",
        "PKCS#12 key store|tls-keystore=$DIR/server.p12,tls-keystore-password=changeit|TLS from keystore",
        "JKS key store, type from the extension|tls-keystore=$DIR/server.jks,tls-keystore-password=changeit|TLS from keystore",
        "key store type given|tls-keystore=$DIR/server.jks,tls-keystore-password=changeit,tls-keystore-type=JKS|TLS from keystore",
    })
    void serverKeySources(String name, String settings, String description) {
        ServerTls tls = tls(settings);
        assertThat(served(tls)).as(name).isEqualTo(keys.serverCert);
        assertThat(tls.clientAuth()).isEqualTo(ServerTls.ClientAuth.NONE);
        assertThat(tls.trustManagerFactory()).isEmpty();
        assertThat(tls.sslContext().getProtocol()).isEqualTo("TLS");
        assertThat(tls.description()).startsWith(description).doesNotContain("changeit", "s3cret");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "PEM trust, required|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=require,tls-trust-cert=$DIR/client.pem|REQUIRE|client certificates require (trusting",
        "trust store, optional|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=optional,tls-truststore=$DIR/trust.p12,tls-truststore-password=changeit|OPTIONAL|client certificates optional (trusting",
        "key store, and a key store as trust store|tls-keystore=$DIR/server.p12,tls-keystore-password=changeit,tls-client-auth=require,tls-truststore=$DIR/client.p12,tls-truststore-password=changeit|REQUIRE|client certificates require (trusting",
    })
    void clientCertificateSources(String name, String settings, ServerTls.ClientAuth mode, String description) {
        ServerTls tls = tls(settings);
        assertThat(tls.clientAuth()).isEqualTo(mode);
        assertThat(tls.trustManagerFactory()).isPresent();
        assertThat(tls.description()).contains(description);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // which combinations make sense
        "cert without key|tls-cert=$DIR/server.pem|setting 'tls-key' for transport 'test' is required with PEM TLS",
        "key without cert|tls-key=$DIR/server.key|setting 'tls-cert' for transport 'test' is required with PEM TLS",
        "PEM and key store|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-keystore=$DIR/server.p12|choose one source for the server certificate",
        "client auth without TLS|tls-client-auth=require|setting 'tls-client-auth' for transport 'test' needs TLS, which is off",
        "key store password without TLS|tls-keystore-password=x|setting 'tls-keystore-password' for transport 'test' needs TLS, which is off",
        "trust without TLS|tls-trust-cert=$DIR/client.pem|setting 'tls-trust-cert' for transport 'test' needs TLS, which is off",
        "key password with a key store|tls-keystore=$DIR/server.p12,tls-keystore-password=changeit,tls-key-password=x|only applies to a PEM key; a keystore's key uses tls-keystore-password",
        "key store type with PEM|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-keystore-type=JKS|setting 'tls-keystore-type' for transport 'test' only applies with tls-keystore",
        "client auth without trust|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=require|nothing says which client certificates to trust: set tls-trust-cert (PEM CA certificates) or tls-truststore",
        "trust without client auth|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-trust-cert=$DIR/client.pem|set tls-client-auth to optional or require, or remove 'tls-trust-cert'",
        "both trust sources|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=optional,tls-trust-cert=$DIR/client.pem,tls-truststore=$DIR/trust.p12|give both tls-trust-cert and tls-truststore: choose one",
        "trust store password without trust store|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=optional,tls-trust-cert=$DIR/client.pem,tls-truststore-password=x|setting 'tls-truststore-password' for transport 'test' only applies with tls-truststore",
        "unknown client auth mode|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=sometimes|setting 'tls-client-auth' for transport 'test' is 'sometimes'; expected one of [none, optional, require]",
        // files that are missing or are not what they should be
        "missing certificate file|tls-cert=$DIR/nope.pem,tls-key=$DIR/server.key|setting 'tls-cert' for transport 'test' is '",
        "directory as key file|tls-cert=$DIR/server.pem,tls-key=$DIR|which is not a readable file",
        "garbage PEM certificate|tls-cert=$DIR/garbage.pem,tls-key=$DIR/server.key|setting 'tls-cert' for transport 'test': ",
        "empty certificate file|tls-cert=$DIR/empty.pem,tls-key=$DIR/server.key|setting 'tls-cert' for transport 'test': ",
        "key file as certificate|tls-cert=$DIR/server.key,tls-key=$DIR/server.key|is not a PEM certificate file (BEGIN CERTIFICATE)",
        "certificate as key|tls-cert=$DIR/server.pem,tls-key=$DIR/server.pem|holds no '-----BEGIN PRIVATE KEY-----' block (PEM, PKCS#8)",
        "PKCS#1 key|tls-cert=$DIR/server.pem,tls-key=$DIR/pkcs1.key|is a PKCS#1/SEC1 key; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in",
        "key cut short|tls-cert=$DIR/server.pem,tls-key=$DIR/truncated.key|has no '-----END PRIVATE KEY-----' line",
        "key of another certificate|tls-cert=$DIR/server.pem,tls-key=$DIR/client.key|is not the private key of the certificate in 'tls-cert' (CN=localhost)",
        "RSA key for an EC certificate|tls-cert=$DIR/server.pem,tls-key=$DIR/rsa.key|is not an EC private key, as the certificate in 'tls-cert' needs",
        "encrypted key without password|tls-cert=$DIR/server.pem,tls-key=$DIR/server-encrypted.key|is encrypted; set 'tls-key-password'",
        "encrypted key, wrong password|tls-cert=$DIR/server.pem,tls-key=$DIR/server-encrypted.key,tls-key-password=guess|cannot decrypt",
        "password for a plain key|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-key-password=s3cret|is not encrypted: remove 'tls-key-password'",
        "key store, wrong password|tls-keystore=$DIR/server.p12,tls-keystore-password=wrong|check 'tls-keystore-password' and 'tls-keystore-type'",
        "unknown key store type|tls-keystore=$DIR/server.p12,tls-keystore-password=changeit,tls-keystore-type=ZIP|setting 'tls-keystore-type' for transport 'test' is 'ZIP'; expected a keystore type this JVM supports",
        "key store without a key|tls-keystore=$DIR/trust.p12,tls-keystore-password=changeit|holds no private key entry; it needs the server's key and certificate chain",
        "PEM file as key store|tls-keystore=$DIR/server.pem|setting 'tls-keystore' for transport 'test': cannot open",
        "garbage trust certificates|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=require,tls-trust-cert=$DIR/garbage.pem|setting 'tls-trust-cert' for transport 'test': ",
        "missing trust store|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=require,tls-truststore=$DIR/nope.p12|setting 'tls-truststore' for transport 'test' is '",
        "trust store with encrypted certificates, no password|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=require,tls-truststore=$DIR/trust.p12|holds no certificate; if its certificates are encrypted, set 'tls-truststore-password'",
        "trust store, wrong password|tls-cert=$DIR/server.pem,tls-key=$DIR/server.key,tls-client-auth=require,tls-truststore=$DIR/trust.p12,tls-truststore-password=wrong|check 'tls-truststore-password' and 'tls-truststore-type'",
    })
    void mistakes(String name, String settings, String expected) {
        assertThatThrownBy(() -> tls(settings)).as(name).isInstanceOf(ConfigurationException.class).hasMessageContaining(expected);
    }

    @Test
    @DisplayName("a message never carries a password")
    void noSecretsInMessages() {
        assertThatThrownBy(() -> tls("tls-keystore=$DIR/server.p12,tls-keystore-password=hunter2"))
                .isInstanceOf(ConfigurationException.class).message().doesNotContain("hunter2");
        assertThatThrownBy(() -> tls("tls-cert=$DIR/server.pem,tls-key=$DIR/server-encrypted.key,tls-key-password=hunter2"))
                .isInstanceOf(ConfigurationException.class).message().doesNotContain("hunter2");
    }

    @Test
    void everyKeyIsListed() {
        assertThat(ServerTls.NAMES).containsExactlyInAnyOrder("tls-cert", "tls-key", "tls-key-password", "tls-keystore",
                "tls-keystore-password", "tls-keystore-type", "tls-client-auth", "tls-trust-cert", "tls-truststore",
                "tls-truststore-password", "tls-truststore-type");
        assertThat(ServerTls.PROTOCOLS).containsExactly("TLSv1.3", "TLSv1.2");
    }
}
