package dev.tok.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Assembly errors. tok-api's tests run with two test transport providers named 'loop' (and a
 * duplicate named 'twin' twice) registered through META-INF/services, and no hub implementation.
 */
class TokServerTest {

    private static HubConfig.Builder config() {
        return HubConfig.builder().actor((d, p) -> { }).readTimeout(Duration.ofSeconds(30))
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("u", "d")));
    }

    @Test
    void anAuthenticatorIsRequired() {
        assertThatThrownBy(() -> TokServer.builder(HubConfig.builder().actor((d, p) -> { })
                .readTimeout(Duration.ofSeconds(1)).build()).transport("loop", Map.of()).build())
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("auth required");
    }

    @Test
    void aTransportIsRequired() {
        assertThatThrownBy(() -> TokServer.builder(config().build()).build())
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("no transport");
    }

    @Test
    void anUnknownTransportNamesWhatWasFoundAndTheArtifact() {
        assertThatThrownBy(() -> TokServer.builder(config().build()).transport("jetty-ws", Map.of()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("No TransportProvider named 'jetty-ws'; found [loop, twin]. Add dev.tok:tok-transport-jetty");
    }

    @Test
    void twoProvidersWithOneNameFailNamingBoth() {
        assertThatThrownBy(() -> TokServer.builder(config().build()).transport("twin", Map.of()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("two TransportProviders are named 'twin'")
                .hasMessageContaining("LoopTransportProvider$Twin").hasMessageContaining("LoopTransportProvider$OtherTwin");
    }

    @Test
    void unknownSettingsAreRejected() {
        Properties p = new Properties();
        p.setProperty("tok.transports", "loop");
        p.setProperty("tok.transport.loop.prot", "9000");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(p).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown setting 'prot' for transport 'loop' (did you mean 'port'?); known: [port]");
    }

    @Test
    void propertiesAreValidated() {
        Properties stray = new Properties();
        stray.setProperty("tok.transports", "loop");
        stray.setProperty("tok.transport.tcp.port", "1");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(stray))
                .hasMessageContaining("'tok.transport.tcp.port' names a transport that is not in tok.transports [loop]");

        Properties typo = new Properties();
        typo.setProperty("tok.qeue", "memory");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(typo))
                .hasMessageContaining("unknown property 'tok.qeue'");

        Properties hub = new Properties();
        hub.setProperty("tok.hub.sso", "maybe");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(hub))
                .hasMessageContaining("setting 'sso' for hub is 'maybe'");
    }

    @Test
    @DisplayName("a missing tok-core fails build(), before start() could open a queue")
    void buildWithoutTheHubImplementationSaysWhichArtifactToAdd() {
        Properties p = new Properties();
        p.setProperty("tok.transports", "loop");
        assertThatThrownBy(() -> TokServer.builder(config().noQueue().build()).properties(p).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No tok hub implementation found. Add dev.tok:tok-core");
        assertThatThrownBy(() -> Hub.create(config().noQueue().build())).hasMessageContaining("dev.tok:tok-core");
    }

    @Test
    void misspelledTransportNamesGetASuggestion() {
        assertThatThrownBy(() -> TokServer.builder(config().build()).transport("lopo", Map.of()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("No TransportProvider named 'lopo' (did you mean 'loop'?); found [loop, twin]. "
                        + "Otherwise add the artifact that provides 'lopo' to the class or module path");
        assertThatThrownBy(() -> TokServer.builder(config().build()).transport("tpc", Map.of()).build())
                .hasMessage("No TransportProvider named 'tpc' (did you mean 'tcp'?); found [loop, twin]. "
                        + "Add dev.tok:tok-transport-tcp for 'tcp'");
        assertThatThrownBy(() -> TokServer.builder(config().build()).transport("quic", Map.of()).build())
                .hasMessage("No TransportProvider named 'quic'; found [loop, twin]. "
                        + "Add the artifact that provides it to the class or module path");
        assertThatThrownBy(() -> TokServer.builder(config().build()).queue("chronicel", Map.of())
                .transport("loop", Map.of()).build())
                .hasMessageStartingWith("No QueueProvider named 'chronicel' (did you mean 'chronicle'?)");
    }

    @Test
    void misspelledPropertiesGetASuggestion() {
        Properties typo = new Properties();
        typo.setProperty("tok.qeue", "memory");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(typo))
                .hasMessageStartingWith("unknown property 'tok.qeue' (did you mean 'tok.queue'?)");
        Properties transport = new Properties();
        transport.setProperty("tok.transports", "loop");
        transport.setProperty("tok.transport.lop.port", "1");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(transport))
                .hasMessageContaining("not in tok.transports [loop] (did you mean 'loop'?)");
    }

    @Test
    @DisplayName("a cluster is looked up by name with a suggestion and its keys are checked; a queue the nodes do not share is refused with it")
    void clustersAreChecked() {
        assertThatThrownBy(() -> TokServer.builder(config().build()).cluster("lopo", Map.of()).transport("loop", Map.of()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("No ClusterProvider named 'lopo' (did you mean 'loop'?); found [loop]");
        assertThatThrownBy(() -> TokServer.builder(config().build()).cluster("loop", Map.of("ur", "x")).transport("loop", Map.of())
                .build())
                .hasMessage("unknown setting 'ur' for cluster 'loop' (did you mean 'uri'?); known: [uri]");
        assertThatThrownBy(() -> TokServer.builder(config().build()).cluster("loop", Map.of("uri", "x")).transport("loop", Map.of())
                .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("cluster 'loop' with queue 'memory', which each node keeps for itself")
                .hasMessageContaining("allowNodeLocalQueue()");
        // past the cluster's checks, the next one is the hub lookup (no tok-core in tok-api's tests)
        assertThatThrownBy(() -> TokServer.builder(config().build()).cluster("loop", Map.of("uri", "x")).allowNodeLocalQueue()
                .transport("loop", Map.of()).build()).hasMessageStartingWith("No tok hub implementation found");
        assertThatThrownBy(() -> TokServer.builder(config().noQueue().build()).cluster("loop", Map.of("uri", "x"))
                .transport("loop", Map.of()).build()).hasMessageStartingWith("No tok hub implementation found");
    }

    @Test
    void clusterProperties() {
        Properties p = new Properties();
        p.setProperty("tok.transports", "loop");
        p.setProperty("tok.cluster", "loop");
        p.setProperty("tok.cluster.uri", "x");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(p).build())
                .hasMessageStartingWith("cluster 'loop' with queue 'memory'");
        p.setProperty("tok.cluster.allow-node-local-queue", "true");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(p).build())
                .hasMessageStartingWith("No tok hub implementation found");
        p.setProperty("tok.cluster.allow-node-local-queue", "yes");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(p))
                .hasMessage("property tok.cluster.allow-node-local-queue must be true or false, was 'yes'");
        Properties orphan = new Properties();
        orphan.setProperty("tok.cluster.uri", "x");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(orphan))
                .hasMessage("tok.cluster.* settings given without tok.cluster naming the cluster");
        Properties typo = new Properties();
        typo.setProperty("tok.clustr", "redis");
        assertThatThrownBy(() -> TokServer.builder(config().build()).properties(typo))
                .hasMessageStartingWith("unknown property 'tok.clustr' (did you mean 'tok.cluster'?)");
    }
}
