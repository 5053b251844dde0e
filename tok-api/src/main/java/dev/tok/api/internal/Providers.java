package dev.tok.api.internal;

import dev.tok.api.ConfigurationException;
import dev.tok.api.HubConfig;
import dev.tok.api.Queue;
import dev.tok.api.spi.HubProvider;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.TransportProvider;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Finds providers with {@link ServiceLoader}, with errors that say which artifact to add. */
public final class Providers {

    private static final System.Logger LOG = System.getLogger("dev.tok.api.Providers");

    /** Built-in provider names and the artifacts that carry them. */
    private static final Map<String, String> ARTIFACTS = Map.of(
            "tcp", "dev.tok:tok-transport-tcp",
            "jetty-ws", "dev.tok:tok-transport-jetty",
            "netty-ws", "dev.tok:tok-transport-netty-ws",
            "memory", "dev.tok:tok-queue-memory",
            "chronicle", "dev.tok:tok-queue-chronicle");

    private Providers() {
    }

    /**
     * @param kind    the service's simple name, for messages
     * @param service the service type
     * @param name    reads a provider's name
     * @param <T>     the service type
     * @return every provider found, by name; a name claimed by several providers maps to all of them
     */
    public static <T> Map<String, List<T>> discover(String kind, Class<T> service, Function<T, String> name) {
        Map<String, List<T>> found = new TreeMap<>();
        try {
            Iterator<T> it = loader(service).iterator();
            while (it.hasNext()) {
                T provider = it.next();
                String n = name.apply(provider);
                List<T> sameName = found.computeIfAbsent(n, k -> new ArrayList<>(1));
                if (sameName.stream().noneMatch(p -> p.getClass() == provider.getClass())) {
                    sameName.add(provider);
                }
                LOG.log(Level.DEBUG, () -> "found " + kind + " '" + n + "': " + provider.getClass().getName());
            }
        } catch (ServiceConfigurationError e) {
            throw new ConfigurationException("a " + kind + " could not be loaded: " + e.getMessage(), e);
        }
        return found;
    }

    private static <T> ServiceLoader<T> loader(Class<T> service) {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl == null ? ServiceLoader.load(service, Providers.class.getClassLoader()) : ServiceLoader.load(service, tccl);
    }

    /**
     * @param name a transport name
     * @return the provider
     * @throws ConfigurationException naming what was found and the artifact to add
     */
    public static TransportProvider transport(String name) {
        return pick("TransportProvider", name, discover("TransportProvider", TransportProvider.class, TransportProvider::name));
    }

    /**
     * @param name a queue name
     * @return the provider
     * @throws ConfigurationException naming what was found and the artifact to add
     */
    public static QueueProvider queue(String name) {
        return pick("QueueProvider", name, discover("QueueProvider", QueueProvider.class, QueueProvider::name));
    }

    private static <T> T pick(String kind, String name, Map<String, List<T>> found) {
        List<T> providers = found.get(name);
        if (providers == null) {
            String artifact = ARTIFACTS.get(name);
            throw new ConfigurationException("No " + kind + " named '" + name + "'; found " + found.keySet()
                    + (artifact == null ? ". Add the artifact that provides it to the class or module path"
                            : ". Add " + artifact));
        }
        if (providers.size() > 1) {
            throw new ConfigurationException("two " + kind + "s are named '" + name + "': "
                    + providers.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(" and "))
                    + "; remove one of them from the class or module path");
        }
        return providers.get(0);
    }

    /**
     * Creates a queue, rejecting unknown settings first.
     *
     * @param name     the provider's name
     * @param settings its settings
     * @return the open queue
     */
    public static Queue createQueue(String name, Map<String, String> settings) {
        QueueProvider provider = queue(name);
        Settings s = Settings.of("queue '" + name + "'", settings);
        s.requireKnown(provider.settingNames());
        return provider.create(s);
    }

    /**
     * Creates a hub, resolving the default queue when the configuration names none.
     *
     * @param config the configuration
     * @return the hub runtime
     */
    public static HubRuntime createHub(HubConfig config) {
        List<HubProvider> hubs = new ArrayList<>();
        discover("HubProvider", HubProvider.class, HubProvider::name).values().forEach(hubs::addAll);
        if (hubs.isEmpty()) {
            throw new ConfigurationException("No tok hub implementation found. Add dev.tok:tok-core to the runtime class path "
                    + "or module path (it is the only implementation of dev.tok.api.spi.HubProvider)");
        }
        if (hubs.size() > 1) {
            throw new ConfigurationException("several hub implementations found: "
                    + hubs.stream().map(h -> h.getClass().getName()).collect(Collectors.joining(", ")) + "; keep exactly one");
        }
        HubConfig resolved = config;
        if (config.queue().isEmpty() && !config.noQueue()) {
            LOG.log(Level.INFO, "no queue configured: using the default in-memory queue 'memory' "
                    + "(messages for offline users are lost on restart; choose 'chronicle' to keep them)");
            resolved = config.toBuilder().queue(createQueue("memory", Map.of())).build();
        }
        return hubs.get(0).create(resolved);
    }
}
