package dev.tok.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.ClusterProvider;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.TransportProvider;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The IDE metadata ({@code META-INF/spring-configuration-metadata.json}) lists exactly the keys
 * tok knows: the hub's, each built-in transport's, queue's and cluster's, read from tok itself,
 * plus TokServer's {@code tok.cluster.allow-node-local-queue} and the starter's own; every entry has a description and a type.
 */
class ConfigurationMetadataTest {

    @Test
    @DisplayName("the metadata names exactly the settings of the hub, the built-in transports, queues and cluster, and the starter")
    void metadataMatchesTok() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = new ObjectMapper().readTree(in);
        }
        Set<String> listed = new TreeSet<>();
        for (JsonNode p : metadata.get("properties")) {
            listed.add(p.get("name").asText());
            assertThat(p.get("description").asText()).as("description of %s", p.get("name")).isNotBlank();
            assertThat(p.get("type").asText()).as("type of %s", p.get("name")).isNotBlank();
        }

        Set<String> expected = new TreeSet<>(List.of("tok.enabled", "tok.start-timeout", "tok.stop-timeout", "tok.transports",
                "tok.queue", "tok.cluster", "tok.cluster.allow-node-local-queue"));
        HubConfig.SETTING_NAMES.forEach(k -> expected.add("tok.hub." + k));
        List<String> transports = new ArrayList<>();
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
            transports.add(p.name());
            p.settingNames().forEach(k -> expected.add("tok.transport." + p.name() + "." + k));
        }
        List<String> queues = new ArrayList<>();
        for (QueueProvider p : ServiceLoader.load(QueueProvider.class)) {
            queues.add(p.name());
            p.settingNames().forEach(k -> expected.add("tok.queue." + k));
        }
        List<String> clusters = new ArrayList<>();
        for (ClusterProvider p : ServiceLoader.load(ClusterProvider.class)) {
            clusters.add(p.name());
            p.settingNames().forEach(k -> expected.add("tok.cluster." + k));
        }
        assertThat(transports).containsExactlyInAnyOrder("tcp", "jetty-ws", "netty-ws");
        assertThat(queues).containsExactlyInAnyOrder("memory", "chronicle", "redis");
        assertThat(clusters).containsExactlyInAnyOrder("redis");
        assertThat(listed).as("the keys of src/main/resources/META-INF/spring-configuration-metadata.json against the "
                + "names tok reports: add the missing ones (with a type and a description from the owner's README or "
                + "Javadoc), remove the others").isEqualTo(expected);

        Set<String> groups = new TreeSet<>();
        metadata.get("groups").forEach(g -> groups.add(g.get("name").asText()));
        assertThat(groups).contains("tok", "tok.hub", "tok.queue", "tok.transport.tcp", "tok.transport.jetty-ws",
                "tok.transport.netty-ws", "tok.cluster");
        Set<String> hinted = new TreeSet<>();
        metadata.get("hints").forEach(h -> hinted.add(h.get("name").asText()));
        assertThat(hinted).contains("tok.transports", "tok.queue", "tok.cluster").allMatch(listed::contains);
        assertThat(metadata.get("hints").findValuesAsText("value").stream().collect(Collectors.toSet()))
                .contains("tcp", "jetty-ws", "netty-ws", "memory", "chronicle", "redis");
    }
}
