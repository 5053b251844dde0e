package dev.tok.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.SendResult;
import dev.tok.api.TokException;
import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterConnection;
import dev.tok.api.spi.ClusterListener;
import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import dev.tok.testkit.InMemoryConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The hub's cache of who is where in a cluster, against a cluster whose lookups the test
 * completes by hand (the engine itself, Redis, is tested in tok-cluster-redis): an answer that a
 * presence event overtook must not be cached, or a send would miss a connection until the next
 * event; a lookup that fails still lets a send reach this node's connections.
 */
class ClusterPresenceCacheTest {

    private final HubFixture fixture = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fixture.close();
    }

    @Test
    @DisplayName("a lookup answered after a presence event about the user is not cached; one answered before is, until the next event")
    void staleLookupNotCached() {
        HandCluster cluster = new HandCluster();
        CoreHub hub = fixture.hub(HubFixture.config().cluster(cluster).build());
        ClusterConnection onB = new ClusterConnection("b", "1", "alice", "phone", 1);

        CompletableFuture<List<ClusterConnection>> first = hub.cluster.lookup("alice");
        hub.cluster.onPresenceChanged("alice"); // alice logged in on b while the lookup was on its way
        cluster.lookups.poll().complete(List.of()); // the answer from before her login
        assertThat(first.join()).isEmpty();
        assertThat(hub.cluster.cached("alice")).as("an answer older than the event").isNull();

        CompletableFuture<List<ClusterConnection>> second = hub.cluster.lookup("alice");
        cluster.lookups.poll().complete(List.of(onB));
        assertThat(second.join()).containsExactly(onB);
        assertThat(hub.cluster.cached("alice")).containsExactly(onB);

        hub.cluster.onPresenceChanged("bob");
        assertThat(hub.cluster.cached("alice")).as("another user's event").containsExactly(onB);
        hub.cluster.onPresenceUnknown();
        assertThat(hub.cluster.cached("alice")).as("events may have been missed").isNull();
    }

    @Test
    @DisplayName("this node's own connections never enter the cache of connections elsewhere")
    void ownConnectionsLeftOut() {
        HandCluster cluster = new HandCluster();
        CoreHub hub = fixture.hub(HubFixture.config().cluster(cluster).build());
        CompletableFuture<List<ClusterConnection>> lookup = hub.cluster.lookup("carol");
        cluster.lookups.poll().complete(List.of(new ClusterConnection("a", "7", "carol", "watch", 3)));
        assertThat(lookup.join()).isEmpty();
        assertThat(hub.cluster.cached("carol")).isEmpty();
    }

    @Test
    @DisplayName("a lookup that fails (the engine is away) still delivers to this node's connections of the user: the "
            + "send is not failed as if the hub were closing")
    void failedLookupDeliversHere() throws Exception {
        HandCluster cluster = new HandCluster();
        CoreHub hub = fixture.hub(HubFixture.config().cluster(cluster).build());
        for (int round = 0; round < 50; round++) {
            String uid = "dora" + round;
            String text = "m" + round;
            InMemoryConnection here = fixture.connect(hub, uid);
            CompletableFuture<SendResult> send = hub.send(uid, text.getBytes(StandardCharsets.UTF_8), Duration.ZERO)
                    .toCompletableFuture();
            org.awaitility.Awaitility.await("the send's presence lookup").atMost(Duration.ofSeconds(10))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> !cluster.lookups.isEmpty());
            CompletableFuture<List<ClusterConnection>> lookup = cluster.lookups.poll();
            lookup.completeExceptionally(new TokException("cluster engine unreachable"));
            SendResult r = send.get(10, TimeUnit.SECONDS);
            assertThat(r.delivered()).as("round %d", round).isEqualTo(1);
            assertThat(here.texts()).contains(text);
        }
    }

    /** A cluster node "a" whose connection lookups stay open until the test completes them. */
    private static final class HandCluster implements Cluster {
        final ConcurrentLinkedQueue<CompletableFuture<List<ClusterConnection>>> lookups = new ConcurrentLinkedQueue<>();

        @Override
        public String nodeId() {
            return "a";
        }

        @Override
        public CompletionStage<Void> start(ClusterListener listener) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Set<String>> nodes() {
            return CompletableFuture.completedFuture(Set.of("a"));
        }

        @Override
        public CompletionStage<Registration> register(String uid, String deviceId, String connectionId) {
            return CompletableFuture.completedFuture(new Registration(1, List.of()));
        }

        @Override
        public CompletionStage<Registration> registerReplacing(String uid, String deviceId, String connectionId, String scope) {
            return register(uid, deviceId, connectionId);
        }

        @Override
        public CompletionStage<Void> unregister(String uid, String connectionId) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<List<ClusterConnection>> connections(String uid) {
            CompletableFuture<List<ClusterConnection>> answer = new CompletableFuture<>();
            lookups.add(answer);
            return answer;
        }

        @Override
        public CompletionStage<Boolean> isOnline(String uid) {
            return connections(uid).thenApply(l -> !l.isEmpty());
        }

        @Override
        public CompletionStage<Set<String>> online() {
            return CompletableFuture.completedFuture(Set.of());
        }

        @Override
        public CompletionStage<List<RemoteWrite>> route(ClusterSend send, Collection<ClusterConnection> targets) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<Integer> kick(String uid) {
            return CompletableFuture.completedFuture(0);
        }

        @Override
        public void close() {
        }
    }
}
