package dev.tok.transport.jetty;

import dev.tok.api.ConfigurationException;
import dev.tok.api.TransportSettings;
import dev.tok.transport.jetty.internal.JettyWsCore;
import dev.tok.transport.support.EdgeSettings;
import dev.tok.transport.support.ServerTls;
import dev.tok.transport.support.WsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@code jetty-ws} transport's typed settings: WebSocket on Jetty 12, standalone or mounted
 * ({@link JettyWebSocketMount#create(JettyWsTransport.Settings)}, which refuses {@code host},
 * {@code port} and the {@code tls-*} keys: those belong to the application's connectors).
 *
 * <!-- sample: JettyJavadocSamples.java#settings -->
 * <pre>{@code
 * TokServer.builder(config)
 *         .transport(JettyWsTransport.settings().port(8080).path("/chat")
 *                 .allowedOrigins(List.of("https://app.example.com")))
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>Each method writes one key of the string form (the module's README lists them); the values
 * are checked with those of the string form when the server is built, with the same
 * {@link ConfigurationException}s. Use the string form (or properties) for configuration files.
 *
 * @since 0.1
 */
public final class JettyWsTransport {

    private JettyWsTransport() {
    }

    /** @return empty settings: every key at its default */
    public static Settings settings() {
        return new Settings();
    }

    /** The frame type of outgoing messages: the values of {@code message-type}. */
    public enum MessageType {
        /** Text frames (default, as in Go tok); a payload that is not UTF-8 goes as a binary frame. */
        TEXT,
        /** Binary frames. */
        BINARY
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
     * A builder of {@code jetty-ws} settings; pass it to
     * {@code TokServer.Builder.transport(TransportSettings)}, which copies it, or to
     * {@link JettyWebSocketMount#create(JettyWsTransport.Settings)}. Only the keys that were set
     * are in {@link #asMap()}; the others keep their defaults. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Settings implements TransportSettings {

        private final Map<String, String> values = new TreeMap<>();

        private Settings() {
        }

        /** @return {@code jetty-ws} */
        @Override
        public String transport() {
            return JettyWsCore.NAME;
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
            return "JettyWsTransport.Settings" + shown;
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
         * {@code host}: the address to bind. Default {@code 0.0.0.0}.
         *
         * @param host the address
         * @return this builder
         */
        public Settings host(String host) {
            return put(WsSettings.HOST, Objects.requireNonNull(host, "host"));
        }

        /**
         * {@code port}: the port to bind, 0–65535; {@code 0} picks a free port, which
         * {@code TokServer.listeners()} reports. Default 8080.
         *
         * @param port the port
         * @return this builder
         */
        public Settings port(int port) {
            return put(WsSettings.PORT, Integer.toString(port));
        }

        /**
         * {@code path}: the WebSocket path, absolute, without query. Other paths get 404,
         * non-upgrade requests at the path 400. Default {@code /ws}.
         *
         * @param path the path, such as {@code /chat}
         * @return this builder
         */
        public Settings path(String path) {
            return put(WsSettings.PATH, Objects.requireNonNull(path, "path"));
        }

        /**
         * {@code max-message-size}: the largest incoming message, all fragments together, 1 byte
         * to 2 GiB; a larger one closes the connection with 1009. Default 4 MiB.
         *
         * @param bytes the limit in bytes
         * @return this builder
         */
        public Settings maxMessageSize(long bytes) {
            return put(WsSettings.MAX_MESSAGE_SIZE, Long.toString(bytes));
        }

        /**
         * {@code ping-interval}: the WebSocket ping interval; {@link Duration#ZERO} turns pings
         * off. Default: half the hub's read timeout, at most 30 s (30 s without read timeout).
         *
         * @param interval the interval, 0 or more
         * @return this builder
         */
        public Settings pingInterval(Duration interval) {
            return put(WsSettings.PING_INTERVAL, interval);
        }

        /**
         * {@code message-type}: the frame type of outgoing messages. Default
         * {@link MessageType#TEXT}, as in Go tok.
         *
         * @param type the frame type
         * @return this builder
         */
        public Settings messageType(MessageType type) {
            return put(WsSettings.MESSAGE_TYPE, Objects.requireNonNull(type, "type").name().toLowerCase(Locale.ROOT));
        }

        /**
         * {@code allowed-origins}: origins accepted besides same-origin, such as
         * {@code https://app.example.com}; {@code *} accepts any. Default none.
         *
         * @param origins the origins; none may contain a comma
         * @return this builder
         * @throws ConfigurationException if an origin contains a comma, which the string form
         *                                uses as separator
         */
        public Settings allowedOrigins(List<String> origins) {
            for (String o : List.copyOf(origins)) {
                if (o.contains(",")) {
                    throw new ConfigurationException("setting '" + WsSettings.ALLOWED_ORIGINS + "': origin '" + o
                            + "' contains a comma; give each origin as its own list element");
                }
            }
            return put(WsSettings.ALLOWED_ORIGINS, String.join(",", origins));
        }

        /**
         * {@code permessage-deflate}: negotiate permessage-deflate compression when the client
         * offers it. Default {@code false}: it costs CPU per message, and compressing secrets
         * together with attacker-chosen text can leak them.
         *
         * @param enabled whether to negotiate it
         * @return this builder
         */
        public Settings permessageDeflate(boolean enabled) {
            return put(WsSettings.PERMESSAGE_DEFLATE, Boolean.toString(enabled));
        }

        /**
         * {@code max-connections}: open connections (authenticated or not) this transport holds;
         * further ones are refused at once (HTTP 503 to the upgrade request, before authentication). {@code 0} = no limit; default 10000.
         *
         * @param connections the limit
         * @return this builder
         */
        public Settings maxConnections(int connections) {
            return put(EdgeSettings.MAX_CONNECTIONS, Integer.toString(connections));
        }

        /**
         * {@code max-connections-per-ip}: open connections from one IP address; further ones from it
         * are refused at once (HTTP 503 to the upgrade request, before authentication). {@code 0} = no limit; default 256.
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
         * {@link #rateLimitBytesPerSecond} applies; at least {@code max-message-size}. Default 8 MiB, or {@code max-message-size} if larger.
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
         * {@code high-water-mark}: outbound bytes a connection may hold before the write timeout
         * starts; positive. Default 1 MiB.
         *
         * @param bytes the mark in bytes
         * @return this builder
         */
        public Settings highWaterMark(long bytes) {
            return put(WsSettings.HIGH_WATER_MARK, Long.toString(bytes));
        }

        /**
         * {@code max-pending-bytes}: hard cap on outbound bytes waiting per connection; a write
         * that would pass it closes the connection as a slow consumer at once. At least the
         * high-water mark; default 64 × the high-water mark.
         *
         * @param bytes the cap in bytes
         * @return this builder
         */
        public Settings maxPendingBytes(long bytes) {
            return put(WsSettings.MAX_PENDING_BYTES, Long.toString(bytes));
        }

        /**
         * {@code write-timeout}: how long outbound bytes may stay above the high-water mark
         * before the connection is closed as a slow consumer; positive. Default: the hub's write
         * timeout.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Settings writeTimeout(Duration timeout) {
            return put(WsSettings.WRITE_TIMEOUT, timeout);
        }

        /**
         * {@code stop-timeout}: how long {@code stop()}, and a close the server starts, waits
         * for the peer's close; 0 or more. Default 5 s.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Settings stopTimeout(Duration timeout) {
            return put(WsSettings.STOP_TIMEOUT, timeout);
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
