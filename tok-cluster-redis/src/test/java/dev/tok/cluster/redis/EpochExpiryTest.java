package dev.tok.cluster.redis;

import static dev.tok.cluster.redis.Nodes.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterConnection;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A user's epoch counter ({@code {uid}:epoch}) expires {@code epoch-ttl} after the user's last
 * registration, and fencing survives it: a login after the expiry still gets a higher epoch than
 * every connection registered or held before.
 */
class EpochExpiryTest {

    private final Nodes nodes = new Nodes(backend());

    /** @return the Redis these tests run on: the shared standalone server here; a Redis Cluster in the subclass */
    Nodes.Backend backend() {
        return Nodes.standalone();
    }

    @AfterEach
    void close() {
        nodes.close();
    }

    private String epochKey(String uid) {
        return nodes.prefix() + "{" + uid + "}:epoch";
    }

    private void awaitExpired(String uid) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> nodes.command("EXISTS " + epochKey(uid)).equals(":0"));
    }

    private static void hold(Nodes.FakeHub hub, String uid, String connectionId, String device) {
        hub.connections.computeIfAbsent(uid, u -> new ConcurrentHashMap<>()).put(connectionId, device);
    }

    @Test
    @DisplayName("the counter gets epoch-ttl at each registration (30 days by default)")
    void refreshed() {
        Nodes.FakeHub a = nodes.start("a", "epoch-ttl", "1h");
        a.connect("alice", "phone", "a1");
        long ttl = Long.parseLong(nodes.command("PTTL " + epochKey("alice")).substring(1));
        assertThat(ttl).isBetween(3_590_000L, 3_600_000L);
        nodes.command("PEXPIRE " + epochKey("alice") + " 5000");
        a.connect("alice", "laptop", "a2");
        assertThat(Long.parseLong(nodes.command("PTTL " + epochKey("alice")).substring(1))).isGreaterThan(3_590_000L);
        Nodes.FakeHub b = nodes.start("b");
        b.connect("bob", "phone", "b1");
        assertThat(Long.parseLong(nodes.command("PTTL " + epochKey("bob")).substring(1)))
                .isGreaterThan(Duration.ofDays(30).toMillis() - 10_000);
    }

    @Test
    @DisplayName("after the counter expired, a login gets a higher epoch than the user's registered connections and replaces them")
    void fencingAcrossExpiry() {
        Nodes.FakeHub a = nodes.start("a", "epoch-ttl", "1s");
        Nodes.FakeHub b = nodes.start("b", "epoch-ttl", "1s");
        Cluster.Registration plain = a.connect("alice", "bot", "a1");
        hold(a, "alice", "a2", "phone");
        Cluster.Registration sso = join(a.cluster.registerReplacing("alice", "phone", "a2", "*"));
        awaitExpired("alice");

        hold(b, "alice", "b1", "laptop");
        Cluster.Registration login = join(b.cluster.registerReplacing("alice", "laptop", "b1", "*"));

        assertThat(login.epoch()).isGreaterThan(plain.epoch()).isGreaterThan(sso.epoch());
        assertThat(login.replaced()).extracting(ClusterConnection::connectionId).containsExactly("a2");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.takeovers.contains("alice/a2@" + login.epoch() + " by b"));
    }

    @Test
    @DisplayName("a new counter also starts above a registered epoch that is ahead of Redis' clock")
    void aboveRegisteredEpochs() {
        Nodes.FakeHub a = nodes.start("a", "epoch-ttl", "1s");
        a.connect("alice", "phone", "a1");
        long ahead = System.currentTimeMillis() * 1000 + 3_600_000_000_000L;   // an hour of microseconds ahead
        String value = nodes.command("HGET " + nodes.prefix() + "{alice}:conns a|a1");
        nodes.command("HSET " + nodes.prefix() + "{alice}:conns a|a1 " + ahead + value.substring(value.indexOf('|')));
        awaitExpired("alice");

        assertThat(a.connect("alice", "laptop", "a2").epoch()).isGreaterThan(ahead);
    }

    @Test
    @DisplayName("a connection of a node that was swept while cut off (not in Redis, still held) loses to a login after the counter expired")
    void sweptConnectionAcrossExpiry() {
        String[] fast = {"lease", "1500ms", "heartbeat", "300ms", "epoch-ttl", "1s"};
        Nodes.FakeHub a = nodes.start("a", fast);
        Nodes.FakeHub b = nodes.start("b", fast);
        hold(a, "alice", "a1", "phone");
        Cluster.Registration old = join(a.cluster.registerReplacing("alice", "phone", "a1", "*"));

        // a is cut off (no heartbeat) and its lease lapses; b sweeps it: alice has no entry left
        a.cluster.pauseHeartbeat(true);
        nodes.command("DEL " + nodes.prefix() + "node:{a}");
        await().atMost(Duration.ofSeconds(5)).until(() -> !join(b.cluster.isOnline("alice")));
        awaitExpired("alice");
        hold(b, "alice", "b1", "laptop");
        Cluster.Registration login = join(b.cluster.registerReplacing("alice", "laptop", "b1", "*"));
        assertThat(login.epoch()).isGreaterThan(old.epoch());

        // a comes back: its connection is not registered again, and it learns it lost to the newer epoch
        a.cluster.pauseHeartbeat(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.takeovers.contains("alice/a1@" + login.epoch() + " by b"));
        assertThat(join(a.cluster.connections("alice"))).extracting(ClusterConnection::connectionId).containsExactly("b1");
    }
}
