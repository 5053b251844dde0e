package dev.tok.transport.support;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * The Origin check against cross-site WebSocket hijacking, the same for both WebSocket
 * transports: no {@code Origin} header (native clients) is accepted; an {@code Origin} equal to
 * the request's own origin ({@code Host} header, scheme of the connection) or listed in
 * {@code allowed-origins} is accepted; everything else is refused with 403.
 */
public final class Origins {

    private Origins() {
    }

    /**
     * @param origin  the Origin header, or null when absent
     * @param host    the Host header, or null
     * @param secure  whether the connection uses TLS
     * @param allowed normalized allowed origins, possibly containing {@code *}
     * @return true if the request may proceed
     */
    public static boolean allowed(String origin, String host, boolean secure, List<String> allowed) {
        if (origin == null) {
            return true;
        }
        if (allowed.contains("*")) {
            return true;
        }
        String normalized = normalize(origin.trim());
        if (normalized == null) {
            return false;
        }
        if (allowed.contains(normalized)) {
            return true;
        }
        if (host == null || host.isBlank()) {
            return false;
        }
        String self = normalize((secure ? "https://" : "http://") + host.trim());
        return normalized.equals(self);
    }

    /**
     * @param origin an origin such as {@code https://App.example.com}
     * @return {@code scheme://host:port} in lower case with the default port made explicit, or
     *         null when it is not an http(s) origin
     */
    public static String normalize(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            String host = uri.getHost();
            if (scheme == null || host == null) {
                return null;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            if (port < 0) {
                switch (scheme) {
                    case "http":
                    case "ws":
                        port = 80;
                        break;
                    case "https":
                    case "wss":
                        port = 443;
                        break;
                    default:
                        return null;
                }
            }
            if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                return null;
            }
            return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
