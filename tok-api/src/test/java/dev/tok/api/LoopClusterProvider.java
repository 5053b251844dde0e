package dev.tok.api;

import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterProvider;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import java.util.Set;

/** A cluster provider named 'loop' for the lookup tests; creating a cluster is never reached. */
public final class LoopClusterProvider implements ClusterProvider {

    @Override
    public String name() {
        return "loop";
    }

    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public Set<String> settingNames() {
        return Set.of("uri");
    }

    @Override
    public Cluster create(Settings settings) {
        throw new AssertionError("TokServer does not create clusters yet");
    }
}
