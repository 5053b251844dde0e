package dev.tok.cluster.redis;

import static dev.tok.cluster.redis.Nodes.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Single sign-on fencing: the newest login anywhere wins, older connections anywhere learn they lost. */
class SingleSignOnRaceTest {

    private final Nodes nodes = new Nodes(backend());

    /** @return the Redis these tests run on: the shared standalone server here; a Redis Cluster in the subclass */
    Nodes.Backend backend() {
        return Nodes.standalone();
    }

    @AfterEach
    void close() {
        nodes.close();
    }

    @Test
    @DisplayName("a login on node b replaces the older connection on node a, which gets the takeover with b's epoch")
    void newerLoginWins() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        a.connections.computeIfAbsent("alice", u -> new ConcurrentHashMap<>()).put("a1", "phone");
        Cluster.Registration first = join(a.cluster.registerReplacing("alice", "phone", "a1", "*"));
        assertThat(first.replaced()).isEmpty();

        b.connections.computeIfAbsent("alice", u -> new ConcurrentHashMap<>()).put("b1", "laptop");
        Cluster.Registration second = join(b.cluster.registerReplacing("alice", "laptop", "b1", "*"));

        assertThat(second.epoch()).isGreaterThan(first.epoch());
        assertThat(second.replaced()).extracting(ClusterConnection::nodeId, ClusterConnection::connectionId, ClusterConnection::epoch)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "a1", first.epoch()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !a.takeovers.isEmpty());
        assertThat(a.takeovers).containsExactly("alice/a1@" + second.epoch() + " by b");
        assertThat(join(a.cluster.connections("alice"))).extracting(ClusterConnection::connectionId).containsExactly("b1");
        assertThat(join(a.cluster.online())).containsExactly("alice");
    }

    @Test
    @DisplayName("other scopes and plain registrations are not replaced")
    void scopes() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        join(a.cluster.registerReplacing("alice", "phone", "a1", "mobile"));
        join(a.cluster.register("alice", "bot", "a2"));
        assertThat(join(b.cluster.registerReplacing("alice", "laptop", "b1", "desktop")).replaced()).isEmpty();
        assertThat(join(b.cluster.registerReplacing("alice", "phone", "b2", "mobile")).replaced())
                .extracting(ClusterConnection::connectionId).containsExactly("a1");
        assertThat(join(b.cluster.connections("alice"))).extracting(ClusterConnection::connectionId)
                .containsExactlyInAnyOrder("a2", "b1", "b2");
    }

    @Test
    @DisplayName("two logins of one uid racing on two nodes, 50 times: exactly one connection survives each time, the one with the higher epoch, and the loser's node is told")
    void race() throws Exception {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        int aWins = 0;
        for (int round = 0; round < 50; round++) {
            String uid = "racer" + round;
            a.connections.computeIfAbsent(uid, u -> new ConcurrentHashMap<>()).put("a-" + round, "phone");
            b.connections.computeIfAbsent(uid, u -> new ConcurrentHashMap<>()).put("b-" + round, "phone");
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Cluster.Registration> ra = CompletableFuture.supplyAsync(() -> {
                waitFor(go);
                return join(a.cluster.registerReplacing(uid, "phone", "a-" + round(uid), "*"));
            });
            CompletableFuture<Cluster.Registration> rb = CompletableFuture.supplyAsync(() -> {
                waitFor(go);
                return join(b.cluster.registerReplacing(uid, "phone", "b-" + round(uid), "*"));
            });
            go.countDown();
            Cluster.Registration regA = ra.get();
            Cluster.Registration regB = rb.get();

            assertThat(regA.epoch()).isNotEqualTo(regB.epoch());
            boolean aWon = regA.epoch() > regB.epoch();
            Nodes.FakeHub loser = aWon ? b : a;
            String winnerId = (aWon ? "a-" : "b-") + round;
            String loserId = (aWon ? "b-" : "a-") + round;
            Cluster.Registration winner = aWon ? regA : regB;
            Cluster.Registration lost = aWon ? regB : regA;
            aWins += aWon ? 1 : 0;

            List<ClusterConnection> left = join(a.cluster.connections(uid));
            assertThat(left).as("round %d", round).extracting(ClusterConnection::connectionId).containsExactly(winnerId);
            assertThat(winner.replaced()).as("round %d", round).extracting(ClusterConnection::connectionId).containsExactly(loserId);
            assertThat(lost.replaced()).as("round %d", round).isEmpty();
            String expected = uid + "/" + loserId + "@" + winner.epoch() + " by " + (aWon ? "a" : "b");
            await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> loser.takeovers.contains(expected));
            Map<String, String> survivors = new ConcurrentHashMap<>(a.connections.getOrDefault(uid, Map.of()));
            survivors.putAll(b.connections.getOrDefault(uid, Map.of()));
            assertThat(survivors).as("round %d: connections the two hubs still hold", round).containsOnlyKeys(winnerId);
        }
        assertThat(a.takeovers.size() + b.takeovers.size()).isEqualTo(50);
        System.getLogger(getClass().getName()).log(System.Logger.Level.INFO, "node a won " + aWins + " of 50 races");
    }

    private static String round(String uid) {
        return uid.substring("racer".length());
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
