package dev.tok.core;

import dev.tok.api.HubConfig;
import dev.tok.api.spi.HubProvider;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.Spi;

/** The {@link HubProvider} of tok-core, named {@code core}. */
public final class CoreHubProvider implements HubProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public CoreHubProvider() {
    }

    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public String name() {
        return "core";
    }

    @Override
    public HubRuntime create(HubConfig config) {
        LoggingCheck.warnOnceIfNoProvider();
        return new CoreHub(config).runtime();
    }
}
