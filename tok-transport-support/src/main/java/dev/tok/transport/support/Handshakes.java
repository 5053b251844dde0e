package dev.tok.transport.support;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.spi.TransportContext;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The WebSocket upgrade seen by tok: an HTTP upgrade request turned into an {@link AuthRequest},
 * authenticated within the hub's {@code auth-timeout}, and a failed authentication turned into
 * the HTTP status the transport answers with instead of upgrading.
 */
public final class Handshakes {

    private Handshakes() {
    }

    /**
     * Why an upgrade was refused, for the HTTP answer and the transport's log.
     *
     * @param status     the HTTP status to answer with
     * @param reason     a short reason, for the log
     * @param unexpected true if the transport should log at WARN (the authenticator failed or was
     *                   too slow), false for DEBUG (an ordinary rejection, a closed hub)
     * @param cause      the failure worth a stack trace in the log, or null
     */
    public record Rejection(int status, String reason, boolean unexpected, Throwable cause) {
    }

    /**
     * @param transport        the transport's name
     * @param remote           the peer
     * @param secure           whether the connection uses TLS
     * @param host             the Host header, or null
     * @param pathQuery        the request target: path and query as received
     * @param headers          every header (name, value) in arrival order
     * @param peerCertificates the TLS client's verified certificate chain; empty without one
     * @return the request for the authenticator
     */
    public static AuthRequest authRequest(String transport, SocketAddress remote, boolean secure, String host,
            String pathQuery, List<Map.Entry<String, String>> headers, List<X509Certificate> peerCertificates) {
        AuthRequest.Builder b = AuthRequest.builder(transport, remote);
        b.uri(uri(secure, host, pathQuery));
        for (Map.Entry<String, String> h : headers) {
            b.header(h.getKey(), h.getValue());
            if (h.getKey().equalsIgnoreCase("cookie")) {
                cookies(h.getValue(), b);
            }
        }
        b.peerCertificates(peerCertificates);
        return b.build();
    }

    /**
     * Runs the application's authenticator through the hub, bounded by the hub's
     * {@code auth-timeout}.
     *
     * @param context the transport's context
     * @param request the upgrade request
     * @return completes with the device, or fails with the authenticator's exception, a
     *         {@link TimeoutException} after {@code auth-timeout}, or what the hub threw; completes
     *         on a hub worker or timer thread, so the transport hops back to its own thread
     */
    public static CompletableFuture<Device> authenticate(TransportContext context, AuthRequest request) {
        CompletableFuture<Device> auth = new CompletableFuture<>();
        try {
            context.authenticate(request).whenComplete((device, failure) -> {
                if (failure != null) {
                    auth.completeExceptionally(failure);
                } else {
                    auth.complete(device);
                }
            });
        } catch (RuntimeException e) {
            auth.completeExceptionally(e);
        }
        return auth.orTimeout(context.config().authTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * @param failure why authentication did not produce a device
     * @return the authenticator's 401/403; 503 when the hub is closed or the authenticator was
     *         slower than the hub's {@code auth-timeout}; 401 for any other failure
     */
    public static Rejection rejection(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof AuthenticationException) {
            return new Rejection(((AuthenticationException) cause).status(), "rejected: " + cause.getMessage(), false, null);
        }
        if (cause instanceof HubClosedException) {
            return new Rejection(503, "hub closed", false, null);
        }
        if (cause instanceof TimeoutException) {
            return new Rejection(503, "the authenticator did not answer within the hub's auth-timeout", true, null);
        }
        return new Rejection(401, "the authenticator failed", true, cause);
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
}
