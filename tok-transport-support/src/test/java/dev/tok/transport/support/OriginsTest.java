package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Origin policy against cross-site WebSocket hijacking, shared by both WebSocket transports. */
class OriginsTest {

    private static final List<String> NONE = List.of();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "https://App.Example.com|https://app.example.com:443",
        "http://example.com|http://example.com:80",
        "ws://example.com|ws://example.com:80",
        "wss://example.com|wss://example.com:443",
        "https://example.com:8443|https://example.com:8443",
        "https://example.com/|https://example.com:443",
        "https://[::1]:8443|https://[::1]:8443",
        "https://example.com/app|null",
        "https://example.com?x=1|null",
        "https://user@example.com|null",
        "ftp://example.com|null",
        "example.com|null",
        "not an origin|null",
    })
    void normalize(String origin, String normalized) {
        assertThat(Origins.normalize(origin)).isEqualTo(normalized);
    }

    @Test
    @DisplayName("no Origin header (a native client): accepted")
    void noOrigin() {
        assertThat(Origins.allowed(null, "chat.example.com", true, NONE)).isTrue();
        assertThat(Origins.allowed(null, null, false, NONE)).isTrue();
    }

    @Test
    @DisplayName("same origin: the Host header with the connection's scheme, default ports made explicit")
    void sameOrigin() {
        assertThat(Origins.allowed("https://chat.example.com", "chat.example.com", true, NONE)).isTrue();
        assertThat(Origins.allowed("https://chat.example.com:443", "Chat.Example.com", true, NONE)).isTrue();
        assertThat(Origins.allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false, NONE)).isTrue();
        assertThat(Origins.allowed("http://chat.example.com", "chat.example.com", true, NONE))
                .as("http page on a TLS connection").isFalse();
        assertThat(Origins.allowed("https://chat.example.com", "chat.example.com", false, NONE))
                .as("https page on a plain connection (a TLS-terminating proxy): list it in allowed-origins").isFalse();
        assertThat(Origins.allowed("http://127.0.0.1:8081", "127.0.0.1:8080", false, NONE)).as("other port").isFalse();
        assertThat(Origins.allowed("https://chat.example.com", null, true, NONE)).as("no Host header").isFalse();
        assertThat(Origins.allowed("https://chat.example.com", " ", true, NONE)).as("blank Host header").isFalse();
    }

    @Test
    @DisplayName("cross origin: accepted only when listed in allowed-origins, or with *")
    void crossOrigin() {
        List<String> allowed = List.of(Origins.normalize("https://app.example.com"));
        assertThat(Origins.allowed("https://evil.example", "chat.example.com", true, NONE)).isFalse();
        assertThat(Origins.allowed("https://app.example.com", "chat.example.com", true, allowed)).isTrue();
        assertThat(Origins.allowed("https://APP.example.com:443", "chat.example.com", true, allowed)).isTrue();
        assertThat(Origins.allowed("https://app.example.com:8443", "chat.example.com", true, allowed)).isFalse();
        assertThat(Origins.allowed("https://evil.example", "chat.example.com", true, List.of("*"))).isTrue();
    }

    @Test
    @DisplayName("Origin: null (sandboxed iframes, file: pages) and malformed origins: refused unless * is allowed")
    void opaqueOrigins() {
        assertThat(Origins.allowed("null", "chat.example.com", true, NONE)).isFalse();
        assertThat(Origins.allowed("https://chat.example.com/path", "chat.example.com", true, NONE)).isFalse();
        assertThat(Origins.allowed("null", "chat.example.com", true, List.of("*"))).isTrue();
    }
}
