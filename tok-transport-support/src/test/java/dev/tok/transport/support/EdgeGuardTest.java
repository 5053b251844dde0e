package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.AuthenticationException;
import dev.tok.api.CloseReason;
import dev.tok.api.TokException;
import dev.tok.api.spi.Settings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Admission: the three connection limits, their release, bans from failed authentications. */
class EdgeGuardTest {

    private final AtomicLong now = new AtomicLong(1L << 40);

    private EdgeGuard guard(Map<String, String> values) {
        EdgeSettings s = EdgeSettings.parse(Settings.of("transport 'test'", values), "max-frame-length", 1024);
        return new EdgeGuard(s, now::get);
    }

    private static InetSocketAddress from(String ip) {
        return new InetSocketAddress(ip, 40000);
    }

    @Test
    @DisplayName("max-connections-per-ip refuses the next connection of that address only; a release makes room")
    void perIp() {
        EdgeGuard g = guard(Map.of("max-connections-per-ip", "2"));
        EdgeGuard.Ticket a1 = g.admit(from("127.0.0.1"));
        EdgeGuard.Ticket a2 = g.admit(from("127.0.0.1"));
        a1.authenticated();
        a2.authenticated();
        EdgeGuard.Ticket a3 = g.admit(from("127.0.0.1"));
        assertThat(a3.refusal()).isEqualTo(EdgeGuard.Refusal.MAX_CONNECTIONS_PER_IP);
        assertThat(a3.refusal().reason()).isEqualTo(CloseReason.CONNECTION_LIMIT);
        assertThat(a3.refusal().httpStatus()).isEqualTo(503);
        a3.release(); // a refused ticket holds nothing
        assertThat(g.admit(from("127.0.0.2")).refusal()).as("another address").isNull();
        assertThat(g.openConnections()).isEqualTo(3);
        a1.release();
        a1.release(); // idempotent
        assertThat(g.openConnections()).isEqualTo(2);
        assertThat(g.admit(from("127.0.0.1")).refusal()).isNull();
    }

    @Test
    @DisplayName("max-unauthenticated-per-ip counts connections until they authenticate")
    void unauthenticatedPerIp() throws Exception {
        EdgeGuard g = guard(Map.of("max-unauthenticated-per-ip", "2"));
        InetAddress local = InetAddress.getByName("127.0.0.1");
        EdgeGuard.Ticket a = g.admit(from("127.0.0.1"));
        EdgeGuard.Ticket b = g.admit(from("127.0.0.1"));
        assertThat(g.admit(from("127.0.0.1")).refusal()).isEqualTo(EdgeGuard.Refusal.MAX_UNAUTHENTICATED_PER_IP);
        a.authenticated();
        a.authenticated();
        assertThat(g.counts(local)).containsExactly(2, 1);
        EdgeGuard.Ticket c = g.admit(from("127.0.0.1"));
        assertThat(c.refusal()).isNull();
        assertThat(g.admit(from("127.0.0.1")).refusal()).isEqualTo(EdgeGuard.Refusal.MAX_UNAUTHENTICATED_PER_IP);
        b.release(); // closed before authenticating
        c.authenticated();
        c.release();
        c.authenticated(); // after release: nothing
        assertThat(g.counts(local)).containsExactly(1, 0);
        a.release();
        assertThat(g.trackedAddresses()).as("an address without connections has no entry").isZero();
        assertThat(g.openConnections()).isZero();
    }

    @Test
    @DisplayName("max-connections counts every address, and addresses that are not IP (Unix sockets) too")
    void total() {
        EdgeGuard g = guard(Map.of("max-connections", "3"));
        List<EdgeGuard.Ticket> held = new ArrayList<>();
        held.add(g.admit(from("127.0.0.1")));
        held.add(g.admit(from("127.0.0.2")));
        held.add(g.admit(UnixDomainSocketAddress.of("/tmp/x.sock")));
        assertThat(held).allMatch(t -> t.refusal() == null);
        assertThat(g.admit(from("127.0.0.3")).refusal()).isEqualTo(EdgeGuard.Refusal.MAX_CONNECTIONS);
        held.get(2).release();
        assertThat(g.admit(from("127.0.0.3")).refusal()).isNull();
    }

    @Test
    @DisplayName("only the authenticator's rejections count towards a ban; a banned address is refused until the ban ends")
    void bans() {
        EdgeGuard g = guard(Map.of("auth-failure-limit", "2", "auth-failure-ban", "1s"));
        InetSocketAddress bad = from("127.0.0.9");
        assertThat(g.authenticationFailed(bad, new TimeoutException())).isZero();
        assertThat(g.authenticationFailed(bad, new TokException("hub closed"))).isZero();
        assertThat(g.authenticationFailed(bad, new CompletionException(new AuthenticationException("no")))).isZero();
        assertThat(g.authenticationFailed(bad, new AuthenticationException("no", 403))).isEqualTo(1000);
        EdgeGuard.Ticket refused = g.admit(bad);
        assertThat(refused.refusal()).isEqualTo(EdgeGuard.Refusal.BANNED);
        assertThat(refused.refusal().reason()).isEqualTo(CloseReason.BANNED);
        assertThat(g.admit(from("127.0.0.1")).refusal()).isNull();
        now.addAndGet(1_000_000_000L);
        assertThat(g.admit(bad).refusal()).as("the ban expired").isNull();
        assertThat(g.authenticationFailed(UnixDomainSocketAddress.of("/tmp/x.sock"), new AuthenticationException("no")))
                .as("no address, no ban").isZero();
    }

    @Test
    @DisplayName("a refusal is worth a WARN line at most once every ten seconds")
    void warnNow() {
        EdgeGuard g = guard(Map.of());
        assertThat(g.warnNow()).isTrue();
        assertThat(g.warnNow()).isFalse();
        now.addAndGet(10_000_000_000L);
        assertThat(g.warnNow()).isTrue();
    }
}
