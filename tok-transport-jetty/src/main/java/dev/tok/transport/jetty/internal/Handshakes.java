package dev.tok.transport.jetty.internal;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.HubClosedException;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;

/**
 * Turns an HTTP upgrade request into an {@link AuthRequest} and an authentication failure into
 * an HTTP status. Identical in both WebSocket modules (package name aside).
 */
public final class Handshakes {

    private Handshakes() {
    }

    /**
     * @param transport the transport's name
     * @param remote    the peer
     * @param secure    whether the connection uses TLS
     * @param host      the Host header, or null
     * @param pathQuery the request target: path and query as received
     * @param headers   every header (name, value) in arrival order
     * @return the request for the authenticator
     */
    public static AuthRequest authRequest(String transport, SocketAddress remote, boolean secure, String host,
            String pathQuery, List<Map.Entry<String, String>> headers) {
        AuthRequest.Builder b = AuthRequest.builder(transport, remote);
        b.uri(uri(secure, host, pathQuery));
        for (Map.Entry<String, String> h : headers) {
            b.header(h.getKey(), h.getValue());
            if (h.getKey().equalsIgnoreCase("cookie")) {
                cookies(h.getValue(), b);
            }
        }
        return b.build();
    }

    static URI uri(boolean secure, String host, String pathQuery) {
        String scheme = secure ? "wss" : "ws";
        if (host != null && !host.isBlank()) {
            try {
                return new URI(scheme + "://" + host.trim() + pathQuery);
            } catch (URISyntaxException e) {
                // fall through to the relative form
            }
        }
        try {
            return new URI(pathQuery);
        } catch (URISyntaxException e) {
            return URI.create(pathQuery.replace(" ", "%20").replace("\"", "%22"));
        }
    }

    /** Parses a Cookie header ({@code a=1; b="2"}) into the builder. Malformed pairs are skipped. */
    static void cookies(String header, AuthRequest.Builder b) {
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (!name.isEmpty()) {
                b.cookie(name, value);
            }
        }
    }

    /**
     * @param failure why authentication did not produce a device
     * @param request the request, for the log
     * @param log     where to log
     * @return the HTTP status to answer with: the authenticator's 401/403, 503 when the hub is
     *         closed or the authenticator was too slow, 401 for any other failure
     */
    public static int status(Throwable failure, AuthRequest request, Logger log) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof AuthenticationException) {
            log.debug("rejected {}: {}", request, cause.getMessage());
            return ((AuthenticationException) cause).status();
        }
        if (cause instanceof HubClosedException) {
            log.debug("refused {}: hub closed", request);
            return 503;
        }
        if (cause instanceof TimeoutException) {
            log.warn("refused {}: the authenticator did not answer within the hub's auth-timeout", request);
            return 503;
        }
        log.warn("rejected {}: the authenticator failed", request, cause);
        return 401;
    }
}
