package dev.tok.benchmarks.jmh;

import dev.tok.api.ConfigurationException;
import dev.tok.api.HubConfig;
import dev.tok.api.Queue;
import dev.tok.api.spi.HubProvider;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Builds hubs and queues for the benchmarks through the public SPI only: {@link ServiceLoader}
 * finds tok-core's {@link HubProvider} (whose {@link HubRuntime} also hands out the
 * {@link dev.tok.api.spi.TransportContext} an in-memory transport needs) and the queue providers.
 */
public final class Hubs {

    private Hubs() {
    }

    /**
     * @param config the configuration (give it a queue or noQueue(): the provider does not pick a default)
     * @return a running hub with its transport side
     */
    public static HubRuntime create(HubConfig config) {
        for (HubProvider p : ServiceLoader.load(HubProvider.class)) {
            return p.create(config);
        }
        throw new ConfigurationException("no HubProvider found: put dev.tok:tok-core on the class path");
    }

    /**
     * @param name     a queue provider name, memory or chronicle
     * @param settings its settings
     * @return the open queue
     */
    public static Queue queue(String name, Map<String, String> settings) {
        for (QueueProvider p : ServiceLoader.load(QueueProvider.class)) {
            if (p.name().equals(name)) {
                Settings s = Settings.of("queue '" + name + "'", settings);
                s.requireKnown(p.settingNames());
                return p.create(s);
            }
        }
        throw new ConfigurationException("no QueueProvider named '" + name + "' on the class path");
    }

    /**
     * A hub configuration for the benchmarks: an actor that drops frames, sso as given, a read
     * timeout instead of pings (no background timers), the given queue.
     *
     * @param sso   single sign-on
     * @param queue the queue
     * @return the configuration
     */
    public static HubConfig config(boolean sso, Queue queue) {
        return HubConfig.builder()
                .actor((connection, payload) -> { })
                .readTimeout(Duration.ofMinutes(10))
                .sso(sso)
                .queue(queue)
                .build();
    }
}
