package dev.tok.api.spi;

import java.util.Set;

/**
 * Creates a {@link Cluster}: the engine that lets several hubs (nodes) act as one. Found with
 * {@link java.util.ServiceLoader}, selected by name like queues and transports. Built-in name,
 * reserved: {@code redis} (module {@code dev.tok.cluster.redis}).
 *
 * <p>{@code TokServer.builder(config).cluster(name, settings)} looks the provider up, creates the
 * node when the server starts and hands it to the hub ({@code HubConfig.Builder.cluster}).
 *
 * @since 0.1
 */
public interface ClusterProvider {

    /** @return the name applications select it by, lowercase-dash */
    String name();

    /**
     * The tok SPI version this provider was compiled against; implement it as
     * {@code return Spi.VERSION;}. See {@link Spi}.
     *
     * @return {@link Spi#VERSION} as it was when this provider was compiled
     */
    String spiVersion();

    /** @return every setting key {@link #create} understands; others are rejected before it is called */
    Set<String> settingNames();

    /**
     * Connects to the cluster's engine. The node does not take part in the cluster (no lease, no
     * presence, no events) before {@link Cluster#start} is called.
     *
     * @param settings the validated settings
     * @return the connected, not yet started cluster node
     * @throws dev.tok.api.ConfigurationException for a malformed value
     * @throws dev.tok.api.TokException           when the engine cannot be reached
     */
    Cluster create(Settings settings);
}
