package dev.tok.api;

import java.net.SocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a connection presents to the {@link Authenticator}, independent of its transport:
 * the first frame for TCP-like transports, the HTTP upgrade request (URI with query, headers,
 * cookies) for WebSocket. Immutable.
 *
 * @since 0.1
 */
public final class AuthRequest {

    private final String transport;
    private final SocketAddress remoteAddress;
    private final byte[] firstFrame;
    private final URI uri;
    private final Map<String, List<String>> headers;
    private final Map<String, String> cookies;
    private final List<X509Certificate> peerCertificates;

    private AuthRequest(Builder b) {
        this.transport = b.transport;
        this.remoteAddress = b.remoteAddress;
        this.firstFrame = b.firstFrame;
        this.uri = b.uri;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.cookies = Map.copyOf(b.cookies);
        this.peerCertificates = List.copyOf(b.peerCertificates);
    }

    /**
     * Starts a request; transports call this.
     *
     * @param transport     the transport's name, for example {@code tcp}
     * @param remoteAddress the peer's address
     * @return a builder
     */
    public static Builder builder(String transport, SocketAddress remoteAddress) {
        return new Builder(transport, remoteAddress);
    }

    /** @return the name of the transport the connection arrived on */
    public String transport() {
        return transport;
    }

    /** @return the peer's address */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** @return a copy of the first frame (TCP-like transports), or empty */
    public Optional<byte[]> firstFrame() {
        return firstFrame == null ? Optional.empty() : Optional.of(firstFrame.clone());
    }

    /** @return the request URI with its query (WebSocket), or empty */
    public Optional<URI> uri() {
        return Optional.ofNullable(uri);
    }

    /** @return all headers, names in lower case, values in arrival order */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * @param name a header name, in any case
     * @return the first value of that header, or empty
     */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /**
     * @param name a query parameter name
     * @return the first value of that URI query parameter (URL-decoded), or empty
     */
    public Optional<String> queryParameter(String name) {
        if (uri == null || uri.getRawQuery() == null) {
            return Optional.empty();
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    /** @return the cookies sent with the request, by name */
    public Map<String, String> cookies() {
        return cookies;
    }

    /**
     * @return the certificate chain the client presented during the TLS handshake, the client's
     *         own certificate first; empty without TLS client authentication
     */
    public List<X509Certificate> peerCertificates() {
        return peerCertificates;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AuthRequest[" + transport + " from " + remoteAddress + (uri == null ? "" : " " + uri.getPath()) + "]";
    }

    /** Builds an {@link AuthRequest}. Not thread-safe. */
    public static final class Builder {
        private final String transport;
        private final SocketAddress remoteAddress;
        private byte[] firstFrame;
        private URI uri;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private final Map<String, String> cookies = new LinkedHashMap<>();
        private List<X509Certificate> peerCertificates = List.of();

        private Builder(String transport, SocketAddress remoteAddress) {
            this.transport = Objects.requireNonNull(transport, "transport");
            this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
        }

        /**
         * @param frame the first frame the connection sent; the builder keeps it as given
         * @return this builder
         */
        public Builder firstFrame(byte[] frame) {
            this.firstFrame = Objects.requireNonNull(frame, "frame");
            return this;
        }

        /**
         * @param uri the upgrade request's URI, with its query
         * @return this builder
         */
        public Builder uri(URI uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
            return this;
        }

        /**
         * Adds one header value.
         *
         * @param name  the header name
         * @param value the value
         * @return this builder
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(value, "value");
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(value);
            return this;
        }

        /**
         * Adds one cookie.
         *
         * @param name  the cookie name
         * @param value the cookie value
         * @return this builder
         */
        public Builder cookie(String name, String value) {
            cookies.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param chain the verified certificate chain of a TLS client, its own certificate first
         * @return this builder
         */
        public Builder peerCertificates(List<X509Certificate> chain) {
            this.peerCertificates = List.copyOf(chain);
            return this;
        }

        /** @return the request */
        public AuthRequest build() {
            return new AuthRequest(this);
        }
    }
}
