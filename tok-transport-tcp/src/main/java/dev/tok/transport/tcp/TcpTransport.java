package dev.tok.transport.tcp;

import dev.tok.api.ConfigurationException;
import dev.tok.api.TransportSettings;
import dev.tok.transport.support.EdgeSettings;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.tcp.internal.TcpSettings;
import dev.tok.transport.tcp.internal.TcpTransportProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@code tcp} transport's typed settings: Go tok's length-prefixed frames over TCP or TLS.
 *
 * <!-- sample: TcpJavadocSamples.java#settings -->
 * <pre>{@code
 * TokServer server = TokServer.builder(config)
 *         .transport(TcpTransport.settings().port(0).maxFrameLength(64 * 1024)) // 0: any free port
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>The same as {@code transport("tcp", Map.of("port", "9000", "max-frame-length", "65536"))}:
 * each method writes one key of the string form (the module's README lists them), and the
 * values are checked with those of the string form when the server is built, with the same
 * {@link ConfigurationException}s. Use the string form (or properties) for configuration files.
 *
 * @since 0.1
 */
public final class TcpTransport {

    private TcpTransport() {
    }

    /** @return empty settings: every key at its default, {@code port} still to be set */
    public static Settings settings() {
        return new Settings();
    }

    /** Client certificates for TLS: the values of {@code tls-client-auth}. */
    public enum ClientAuth {
        /** No client certificate is requested (default). */
        NONE,
        /** A client certificate is requested, and verified if sent. */
        OPTIONAL,
        /** A verified client certificate is required: the handshake fails without one. */
        REQUIRE
    }

    /**
     * A builder of {@code tcp} settings; pass it to
     * {@code TokServer.Builder.transport(TransportSettings)}, which copies it. Only the keys that
     * were set are in {@link #asMap()}; the others keep their defaults. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Settings implements TransportSettings {

        private final Map<String, String> values = new TreeMap<>();

        private Settings() {
        }

        /** @return {@code tcp} */
        @Override
        public String transport() {
            return TcpTransportProvider.NAME;
        }

        /** @return the keys set so far with their string values, sorted by key; a copy */
        @Override
        public Map<String, String> asMap() {
            return Map.copyOf(values);
        }

        /** @return the settings, passwords masked */
        @Override
        public String toString() {
            Map<String, String> shown = new TreeMap<>(values);
            shown.replaceAll((k, v) -> k.endsWith("password") ? "****" : v);
            return "TcpTransport.Settings" + shown;
        }

        private Settings put(String key, String value) {
            values.put(key, value);
            return this;
        }

        private Settings put(String key, Duration value) {
            return put(key, Objects.requireNonNull(value, key).toString());
        }

        private Settings put(String key, Path value) {
            return put(key, Objects.requireNonNull(value, key).toString());
        }

        /**
         * {@code host}: the address to bind, an IP address or a resolvable host name. Default
         * {@code 0.0.0.0}.
         *
         * @param host the address
         * @return this builder
         */
        public Settings host(String host) {
            return put(TcpSettings.HOST, Objects.requireNonNull(host, "host"));
        }

        /**
         * {@code port}: the port to bind, 1–65535; {@code 0} picks a free port, which
         * {@code TokServer.address("tcp")} reports. Required.
         *
         * @param port the port
         * @return this builder
         */
        public Settings port(int port) {
            return put(TcpSettings.PORT, Integer.toString(port));
        }

        /**
         * {@code max-frame-length}: the largest payload accepted from a client, 1 to 2147483639
         * bytes; a larger length prefix closes the connection. Default 4 MiB (Go tok's limit).
         *
         * @param bytes the limit in bytes
         * @return this builder
         */
        public Settings maxFrameLength(long bytes) {
            return put(TcpSettings.MAX_FRAME_LENGTH, Long.toString(bytes));
        }

        /**
         * {@code auth-timeout}: time from connect (TLS handshake included) to a registered
         * connection; positive. Default: the hub's auth timeout (5 s).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Settings authTimeout(Duration timeout) {
            return put(TcpSettings.AUTH_TIMEOUT, timeout);
        }

        /**
         * {@code write-timeout}: how long a connection's unwritten bytes may stay above the
         * high-water mark before it is closed as a slow consumer; positive. Default: the hub's
         * write timeout (1 min).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Settings writeTimeout(Duration timeout) {
            return put(TcpSettings.WRITE_TIMEOUT, timeout);
        }

        /**
         * {@code max-connections}: open connections (authenticated or not) this transport holds;
         * further ones are refused at once (accepted and closed at once, before authentication). {@code 0} = no limit; default 10000.
         *
         * @param connections the limit
         * @return this builder
         */
        public Settings maxConnections(int connections) {
            return put(EdgeSettings.MAX_CONNECTIONS, Integer.toString(connections));
        }

        /**
         * {@code max-connections-per-ip}: open connections from one IP address; further ones from it
         * are refused at once (accepted and closed at once, before authentication). {@code 0} = no limit; default 256.
         *
         * @param connections the limit
         * @return this builder
         */
        public Settings maxConnectionsPerIp(int connections) {
            return put(EdgeSettings.MAX_CONNECTIONS_PER_IP, Integer.toString(connections));
        }

        /**
         * {@code max-unauthenticated-per-ip}: connections from one IP address that have not
         * authenticated yet (half-open logins); further ones from it are refused at once.
         * {@code 0} = no limit; default 32.
         *
         * @param connections the limit
         * @return this builder
         */
        public Settings maxUnauthenticatedPerIp(int connections) {
            return put(EdgeSettings.MAX_UNAUTHENTICATED_PER_IP, Integer.toString(connections));
        }

        /**
         * {@code rate-limit-frames-per-second}: inbound frames per second one connection may send on
         * average (a token bucket holding {@link #rateLimitFramesBurst}); a connection over it is
         * closed with {@code CloseReason.RATE_LIMITED}. {@code 0} = off; default 100.
         *
         * @param frames frames per second
         * @return this builder
         */
        public Settings rateLimitFramesPerSecond(int frames) {
            return put(EdgeSettings.RATE_LIMIT_FRAMES_PER_SECOND, Integer.toString(frames));
        }

        /**
         * {@code rate-limit-frames-burst}: frames a connection may send at once before
         * {@link #rateLimitFramesPerSecond} applies; at least 1. Default 1000.
         *
         * @param frames the burst in frames
         * @return this builder
         */
        public Settings rateLimitFramesBurst(int frames) {
            return put(EdgeSettings.RATE_LIMIT_FRAMES_BURST, Integer.toString(frames));
        }

        /**
         * {@code rate-limit-bytes-per-second}: inbound payload bytes per second one connection may
         * send on average (a token bucket holding {@link #rateLimitBytesBurst}); a connection over it
         * is closed with {@code CloseReason.RATE_LIMITED}. {@code 0} = off; default 1 MiB.
         *
         * @param bytes bytes per second
         * @return this builder
         */
        public Settings rateLimitBytesPerSecond(long bytes) {
            return put(EdgeSettings.RATE_LIMIT_BYTES_PER_SECOND, Long.toString(bytes));
        }

        /**
         * {@code rate-limit-bytes-burst}: payload bytes a connection may send at once before
         * {@link #rateLimitBytesPerSecond} applies; at least {@code max-frame-length}. Default 8 MiB, or {@code max-frame-length} if larger.
         *
         * @param bytes the burst in bytes
         * @return this builder
         */
        public Settings rateLimitBytesBurst(long bytes) {
            return put(EdgeSettings.RATE_LIMIT_BYTES_BURST, Long.toString(bytes));
        }

        /**
         * {@code auth-failure-limit}: failed authentications (the authenticator's rejections) from one
         * IP address within {@link #authFailureWindow} that ban the address for
         * {@link #authFailureBan}. {@code 0} = no bans; default 10.
         *
         * @param failures the number of failures
         * @return this builder
         */
        public Settings authFailureLimit(int failures) {
            return put(EdgeSettings.AUTH_FAILURE_LIMIT, Integer.toString(failures));
        }

        /**
         * {@code auth-failure-window}: the window in which failed authentications count; positive.
         * Default 1 min.
         *
         * @param window the window
         * @return this builder
         */
        public Settings authFailureWindow(Duration window) {
            return put(EdgeSettings.AUTH_FAILURE_WINDOW, window);
        }

        /**
         * {@code auth-failure-ban}: how long the first ban of an address lasts; each repeated ban
         * lasts twice the one before, up to {@link #authFailureMaxBan}. Positive; default 1 min.
         *
         * @param ban the first ban
         * @return this builder
         */
        public Settings authFailureBan(Duration ban) {
            return put(EdgeSettings.AUTH_FAILURE_BAN, ban);
        }

        /**
         * {@code auth-failure-max-ban}: the longest ban; an address without failures for this long is
         * forgotten. At least {@link #authFailureBan}; default 1 h.
         *
         * @param ban the longest ban
         * @return this builder
         */
        public Settings authFailureMaxBan(Duration ban) {
            return put(EdgeSettings.AUTH_FAILURE_MAX_BAN, ban);
        }

        /**
         * {@code auth-failure-tracked-ips}: the most IP addresses the failure table holds (bounded
         * memory whatever the number of attackers); positive. Default 10000.
         *
         * @param addresses the number of addresses
         * @return this builder
         */
        public Settings authFailureTrackedIps(int addresses) {
            return put(EdgeSettings.AUTH_FAILURE_TRACKED_IPS, Integer.toString(addresses));
        }

        /**
         * {@code high-water-mark}: unwritten bytes per connection above which the slow-consumer
         * clock runs, 2 bytes to 2 GiB. Default 1 MiB.
         *
         * @param bytes the mark in bytes
         * @return this builder
         */
        public Settings highWaterMark(long bytes) {
            return put(TcpSettings.HIGH_WATER_MARK, Long.toString(bytes));
        }

        /**
         * {@code max-pending-bytes}: hard cap on unwritten bytes per connection; a write that
         * would pass it closes the connection at once. At least the high-water mark; default
         * 64 × the high-water mark.
         *
         * @param bytes the cap in bytes
         * @return this builder
         */
        public Settings maxPendingBytes(long bytes) {
            return put(TcpSettings.MAX_PENDING_BYTES, Long.toString(bytes));
        }

        /**
         * {@code worker-threads}: I/O threads, 0 or more; {@code 0} (the default) means twice
         * the CPU cores.
         *
         * @param threads the number of threads
         * @return this builder
         */
        public Settings workerThreads(int threads) {
            return put(TcpSettings.WORKER_THREADS, Integer.toString(threads));
        }

        /**
         * {@code native-transport}: use epoll when available; {@code false} forces NIO. Default
         * {@code true}.
         *
         * @param enabled whether to use epoll when available
         * @return this builder
         */
        public Settings nativeTransport(boolean enabled) {
            return put(TcpSettings.NATIVE_TRANSPORT, Boolean.toString(enabled));
        }

        /**
         * {@code shutdown-grace-period}: on stop, how long connections may flush queued writes
         * before they are closed regardless; 0 or more. Default 2 s.
         *
         * @param period the grace period
         * @return this builder
         */
        public Settings shutdownGracePeriod(Duration period) {
            return put(TcpSettings.SHUTDOWN_GRACE_PERIOD, period);
        }

        /**
         * {@code tls-cert}: PEM certificate chain, leaf first; with {@link #tlsKey} it turns TLS
         * on. Read when the server is built.
         *
         * @param file the PEM file
         * @return this builder
         */
        public Settings tlsCert(Path file) {
            return put(ServerTls.CERT, file);
        }

        /**
         * {@code tls-key}: PEM PKCS#8 private key of {@link #tlsCert}, possibly encrypted (then
         * with {@link #tlsKeyPassword}).
         *
         * @param file the PEM file
         * @return this builder
         */
        public Settings tlsKey(Path file) {
            return put(ServerTls.KEY, file);
        }

        /**
         * {@code tls-key-password}: password of an encrypted PEM key; refused for an unencrypted
         * key.
         *
         * @param password the password
         * @return this builder
         */
        public Settings tlsKeyPassword(String password) {
            return put(ServerTls.KEY_PASSWORD, Objects.requireNonNull(password, "password"));
        }

        /**
         * {@code tls-keystore}: PKCS#12 or JKS key store with the server's key and chain, instead
         * of {@link #tlsCert}/{@link #tlsKey}.
         *
         * @param file the key store
         * @return this builder
         */
        public Settings tlsKeystore(Path file) {
            return put(ServerTls.KEYSTORE, file);
        }

        /**
         * {@code tls-keystore-password}: key store password; it must also unlock the keys.
         * Default empty.
         *
         * @param password the password
         * @return this builder
         */
        public Settings tlsKeystorePassword(String password) {
            return put(ServerTls.KEYSTORE_PASSWORD, Objects.requireNonNull(password, "password"));
        }

        /**
         * {@code tls-keystore-type}: key store type, such as {@code PKCS12} or {@code JKS}.
         * Default: from the file name ({@code .jks}: JKS, else PKCS12).
         *
         * @param type the type
         * @return this builder
         */
        public Settings tlsKeystoreType(String type) {
            return put(ServerTls.KEYSTORE_TYPE, Objects.requireNonNull(type, "type"));
        }

        /**
         * {@code tls-client-auth}: whether client certificates are requested or required.
         * Default {@link ClientAuth#NONE}.
         *
         * @param clientAuth the policy
         * @return this builder
         */
        public Settings tlsClientAuth(ClientAuth clientAuth) {
            return put(ServerTls.CLIENT_AUTH, Objects.requireNonNull(clientAuth, "clientAuth").name().toLowerCase(Locale.ROOT));
        }

        /**
         * {@code tls-trust-cert}: PEM CA certificates that client certificates must chain to;
         * needs {@link #tlsClientAuth}.
         *
         * @param file the PEM file
         * @return this builder
         */
        public Settings tlsTrustCert(Path file) {
            return put(ServerTls.TRUST_CERT, file);
        }

        /**
         * {@code tls-truststore}: a PKCS#12 or JKS trust store instead of {@link #tlsTrustCert}.
         *
         * @param file the trust store
         * @return this builder
         */
        public Settings tlsTruststore(Path file) {
            return put(ServerTls.TRUSTSTORE, file);
        }

        /**
         * {@code tls-truststore-password}: trust store password; without it the store is read
         * without integrity check.
         *
         * @param password the password
         * @return this builder
         */
        public Settings tlsTruststorePassword(String password) {
            return put(ServerTls.TRUSTSTORE_PASSWORD, Objects.requireNonNull(password, "password"));
        }

        /**
         * {@code tls-truststore-type}: trust store type. Default: from the file name, as for
         * {@link #tlsKeystoreType}.
         *
         * @param type the type
         * @return this builder
         */
        public Settings tlsTruststoreType(String type) {
            return put(ServerTls.TRUSTSTORE_TYPE, Objects.requireNonNull(type, "type"));
        }
    }
}
