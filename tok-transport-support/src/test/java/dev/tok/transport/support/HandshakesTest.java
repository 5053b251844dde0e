package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.TransportContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The upgrade request as the authenticator sees it, and the HTTP status of every kind of refusal. */
class HandshakesTest {

    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 50000);

    private static AuthRequest request(boolean secure, String host, String target, List<Map.Entry<String, String>> headers) {
        return Handshakes.authRequest("netty-ws", PEER, secure, host, target, headers, List.of());
    }

    @Test
    @DisplayName("the URI joins scheme, Host and target; query parameters, headers and cookies are readable")
    void requestFromTheUpgrade() {
        AuthRequest r = request(true, "chat.example.com:8443", "/ws?uid=alice&token=a%20b", List.of(
                Map.entry("Host", "chat.example.com:8443"), Map.entry("Cookie", "session=abc; theme=\"dark\"; broken; =x"),
                Map.entry("X-Trace", "1"), Map.entry("x-trace", "2")));
        assertThat(r.transport()).isEqualTo("netty-ws");
        assertThat(r.remoteAddress()).isEqualTo(PEER);
        assertThat(r.uri()).hasValueSatisfying(u -> assertThat(u.toString())
                .isEqualTo("wss://chat.example.com:8443/ws?uid=alice&token=a%20b"));
        assertThat(r.queryParameter("uid")).contains("alice");
        assertThat(r.queryParameter("token")).contains("a b");
        assertThat(r.cookies()).containsExactlyInAnyOrderEntriesOf(Map.of("session", "abc", "theme", "dark"));
        assertThat(r.headers().get("x-trace")).containsExactly("1", "2");
        assertThat(r.peerCertificates()).isEmpty();
        assertThat(r.firstFrame()).isEmpty();
    }

    @Test
    @DisplayName("without a usable Host the URI is the target alone; a target with spaces is escaped, not refused")
    void hostMissingOrBroken() {
        assertThat(request(false, null, "/ws?uid=a", List.of()).uri()).hasValueSatisfying(u -> {
            assertThat(u.isAbsolute()).isFalse();
            assertThat(u.getRawQuery()).isEqualTo("uid=a");
        });
        assertThat(request(false, "bad host", "/ws", List.of()).uri())
                .hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("/ws"));
        assertThat(request(false, null, "/ws?name=a b", List.of()).uri()).hasValueSatisfying(u ->
                assertThat(u.getRawQuery()).isEqualTo("name=a%20b"));
        assertThat(request(false, "example.com", "/ws", List.of()).uri()).hasValueSatisfying(u ->
                assertThat(u.getScheme()).isEqualTo("ws"));
    }

    @Test
    @DisplayName("401/403 from the authenticator, 503 for a closed hub or a slow authenticator, 401 for anything else")
    void rejections() {
        Handshakes.Rejection forbidden = Handshakes.rejection(new CompletionException(new AuthenticationException("banned", 403)));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.unexpected()).isFalse();
        assertThat(forbidden.reason()).contains("banned");
        assertThat(Handshakes.rejection(new AuthenticationException("who are you")).status()).isEqualTo(401);
        Handshakes.Rejection closed = Handshakes.rejection(new CompletionException(new HubClosedException()));
        assertThat(closed.status()).isEqualTo(503);
        assertThat(closed.unexpected()).isFalse();
        Handshakes.Rejection slow = Handshakes.rejection(new TimeoutException());
        assertThat(slow.status()).isEqualTo(503);
        assertThat(slow.unexpected()).isTrue();
        assertThat(slow.reason()).contains("auth-timeout");
        IllegalStateException bug = new IllegalStateException("bug in the authenticator");
        Handshakes.Rejection failed = Handshakes.rejection(new CompletionException(bug));
        assertThat(failed.status()).isEqualTo(401);
        assertThat(failed.unexpected()).isTrue();
        assertThat(failed.cause()).isSameAs(bug);
    }

    /** A context whose authenticate() is the given function; register() is not used here. */
    private static TransportContext context(Duration authTimeout, Function<AuthRequest, CompletionStage<Device>> authenticate) {
        HubConfig config = HubConfig.builder().actor((d, p) -> { }).authenticator(r -> new CompletableFuture<>())
                .readTimeout(Duration.ofMinutes(1)).authTimeout(authTimeout).build();
        return new TransportContext() {
            @Override
            public HubConfig config() {
                return config;
            }

            @Override
            public CompletionStage<Device> authenticate(AuthRequest request) {
                return authenticate.apply(request);
            }

            @Override
            public Connection register(Device device, ConAdapter adapter) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    @DisplayName("authenticate: the device, the authenticator's failure, a synchronous throw, or a timeout after auth-timeout")
    void authenticate() throws Exception {
        AuthRequest r = request(false, null, "/ws", List.of());
        Device alice = Device.of("alice", "phone");
        assertThat(Handshakes.authenticate(context(Duration.ofSeconds(5), x -> CompletableFuture.completedFuture(alice)), r)
                .get(5, TimeUnit.SECONDS)).isEqualTo(alice);
        assertThat(Handshakes.authenticate(context(Duration.ofSeconds(5),
                x -> CompletableFuture.failedFuture(new AuthenticationException("no", 403))), r))
                .failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(AuthenticationException.class);
        assertThat(Handshakes.authenticate(context(Duration.ofSeconds(5), x -> {
            throw new HubClosedException();
        }), r)).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(HubClosedException.class);
        assertThat(Handshakes.authenticate(context(Duration.ofMillis(50), x -> new CompletableFuture<>()), r))
                .failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(TimeoutException.class);
    }
}
