package dev.tok.api;

import dev.tok.api.internal.Suggestions;
import dev.tok.api.spi.ClusterProvider;
import dev.tok.api.spi.HubProvider;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.TransportProvider;
import java.lang.System.Logger.Level;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finds providers with {@link ServiceLoader}, with errors that say which artifact to add. Package
 * private: {@link Hub#create} and {@link TokServer} are its only callers.
 *
 * <p>Besides finding a provider by name it enforces three rules: a provider must report the SPI
 * version of this tok-api ({@link Spi#VERSION}); a built-in name ({@code tcp}, {@code memory},
 * ...) may only be claimed by tok's own provider for it; a provider that fails to load is logged
 * at WARN and skipped, and kept as a suppressed exception of a later "not found" error.
 */
final class Providers {

    private static final System.Logger LOG = System.getLogger("dev.tok.api.Providers");

    /** Built-in provider names and the artifacts that carry them. */
    private static final Map<String, String> ARTIFACTS = Map.of(
            "tcp", "dev.tok:tok-transport-tcp",
            "jetty-ws", "dev.tok:tok-transport-jetty",
            "netty-ws", "dev.tok:tok-transport-netty-ws",
            "memory", "dev.tok:tok-queue-memory",
            "chronicle", "dev.tok:tok-queue-chronicle");

    /**
     * Reserved names and the packages whose classes may claim them: the built-in providers, and
     * {@code redis} for the queue and cluster to come.
     */
    private static final Map<String, List<String>> RESERVED = Map.of(
            "tcp", List.of("dev.tok.transport.tcp"),
            "jetty-ws", List.of("dev.tok.transport.jetty"),
            "netty-ws", List.of("dev.tok.transport.netty.ws"),
            "memory", List.of("dev.tok.queue.memory"),
            "chronicle", List.of("dev.tok.queue.chronicle"),
            "redis", List.of("dev.tok.queue.redis", "dev.tok.cluster.redis"));

    /** Stops a loader that keeps failing on the same entry from looping forever. */
    private static final int MAX_ERRORS = 64;

    private Providers() {
    }

    /**
     * One loaded provider.
     *
     * @param provider the instance
     * @param name     its name
     * @param version  the SPI version it was compiled against; {@code "none"} when it predates the check
     * @param <T>      the service type
     */
    record Found<T>(T provider, String name, String version) {
    }

    /**
     * What a lookup found.
     *
     * @param byName every provider that loaded, by name; a name claimed by several maps to all
     * @param broken the errors of providers that did not load
     * @param <T>    the service type
     */
    record Discovery<T>(Map<String, List<Found<T>>> byName, List<Throwable> broken) {
    }

    /**
     * Loads every provider of a service, skipping (and logging) those that fail.
     *
     * @param kind    the service's simple name, for messages
     * @param service the service type
     * @param name    reads a provider's name
     * @param version reads a provider's SPI version
     * @param <T>     the service type
     * @return what was found
     */
    static <T> Discovery<T> discover(String kind, Class<T> service, Function<T, String> name, Function<T, String> version) {
        Map<String, List<Found<T>>> found = new TreeMap<>();
        List<Throwable> broken = new ArrayList<>();
        Iterator<T> it = loader(service).iterator();
        while (broken.size() < MAX_ERRORS) {
            T provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                // the iterator goes on with the next provider after an error (ServiceLoader's contract)
                broken.add(e);
                LOG.log(Level.WARNING, "a " + kind + " could not be loaded and is skipped: " + e.getMessage(), e);
                continue;
            }
            String n;
            String v;
            try {
                n = name.apply(provider);
                v = spiVersion(provider, version);
            } catch (RuntimeException | LinkageError e) {
                broken.add(new ConfigurationException(kind + " " + describe(provider.getClass()) + " failed to report its name: " + e, e));
                LOG.log(Level.WARNING, kind + " " + describe(provider.getClass()) + " is skipped: its name() failed", e);
                continue;
            }
            List<Found<T>> sameName = found.computeIfAbsent(n, k -> new ArrayList<>(1));
            if (sameName.stream().noneMatch(p -> p.provider().getClass() == provider.getClass())) {
                sameName.add(new Found<>(provider, n, v));
            }
            LOG.log(Level.DEBUG, () -> "found " + kind + " '" + n + "': " + describe(provider.getClass()));
            if (!v.equals(Spi.VERSION)) {
                LOG.log(Level.WARNING, () -> versionMismatch(kind, new Found<>(provider, n, v)));
            }
        }
        return new Discovery<>(found, broken);
    }

    private static <T> String spiVersion(T provider, Function<T, String> version) {
        try {
            String v = version.apply(provider);
            return v == null ? "null" : v;
        } catch (AbstractMethodError e) {
            // compiled against a tok-api without spiVersion(): older than the first checked version
            return "none";
        }
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
    static TransportProvider transport(String name) {
        return pick("TransportProvider", "transport", name, discover("TransportProvider", TransportProvider.class,
                TransportProvider::name, TransportProvider::spiVersion));
    }

    /**
     * @param name a queue name
     * @return the provider
     * @throws ConfigurationException naming what was found and the artifact to add
     */
    static QueueProvider queue(String name) {
        return pick("QueueProvider", "queue", name, discover("QueueProvider", QueueProvider.class,
                QueueProvider::name, QueueProvider::spiVersion));
    }

    /**
     * @param name a cluster name
     * @return the provider
     * @throws ConfigurationException naming what was found and the artifact to add
     */
    static ClusterProvider cluster(String name) {
        return pick("ClusterProvider", "cluster", name, discover("ClusterProvider", ClusterProvider.class,
                ClusterProvider::name, ClusterProvider::spiVersion));
    }

    static <T> T pick(String kind, String what, String name, Discovery<T> discovery) {
        List<Found<T>> providers = discovery.byName().get(name);
        if (providers == null) {
            String artifact = ARTIFACTS.get(name);
            int broken = discovery.broken().size();
            // a typo of a name that was found, or of a built-in name of the same kind (whose artifact to add)
            Set<String> candidates = new TreeSet<>(discovery.byName().keySet());
            ARTIFACTS.forEach((n, a) -> {
                if (a.startsWith("dev.tok:tok-" + what + "-")) {
                    candidates.add(n);
                }
            });
            String suggestion = Suggestions.closest(name, candidates).orElse(null);
            String add;
            if (artifact != null) {
                add = ". Add " + artifact;
            } else if (suggestion != null && !discovery.byName().containsKey(suggestion)) {
                add = ". Add " + ARTIFACTS.get(suggestion) + " for '" + suggestion + "'";
            } else {
                add = suggestion == null ? ". Add the artifact that provides it to the class or module path"
                        : ". Otherwise add the artifact that provides '" + name + "' to the class or module path";
            }
            ConfigurationException e = new ConfigurationException("No " + kind + " named '" + name + "'"
                    + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)") + "; found "
                    + discovery.byName().keySet() + add
                    + (broken == 0 ? "" : " (" + broken + (broken == 1 ? " provider" : " providers")
                            + " failed to load and may be the one: see the suppressed exceptions)"));
            discovery.broken().forEach(e::addSuppressed);
            throw e;
        }
        List<String> reservedFor = RESERVED.get(name);
        if (reservedFor != null) {
            List<Found<T>> impostors = providers.stream().filter(p -> !inPackages(p.provider().getClass(), reservedFor))
                    .collect(Collectors.toList());
            if (!impostors.isEmpty()) {
                List<Found<T>> builtIn = providers.stream().filter(p -> !impostors.contains(p)).collect(Collectors.toList());
                throw new ConfigurationException("the " + what + " name '" + name + "' is reserved for tok's own provider"
                        + (builtIn.isEmpty() ? " (package " + String.join(" or ", reservedFor) + ")"
                                : " " + builtIn.stream().map(p -> describe(p.provider().getClass())).collect(Collectors.joining(" and ")))
                        + ", but " + impostors.stream().map(p -> describe(p.provider().getClass())).collect(Collectors.joining(" and "))
                        + " also claims it; give the third-party provider another name");
            }
        }
        if (providers.size() > 1) {
            throw new ConfigurationException("two " + kind + "s are named '" + name + "': "
                    + providers.stream().map(p -> describe(p.provider().getClass())).collect(Collectors.joining(" and "))
                    + "; remove one of them from the class or module path");
        }
        Found<T> found = providers.get(0);
        requireVersion(what, found);
        return found.provider();
    }

    private static void requireVersion(String what, Found<?> found) {
        if (!found.version().equals(Spi.VERSION)) {
            throw new ConfigurationException(versionMismatch(what, found));
        }
    }

    private static String versionMismatch(String what, Found<?> found) {
        return what + " '" + found.name() + "' (" + describe(found.provider().getClass()) + ") was built for "
                + (found.version().equals("none") ? "a tok SPI older than version 1 (it has no spiVersion() method)"
                        : "tok SPI version " + found.version())
                + " but this tok-api is version " + Spi.VERSION + "; use matching versions from dev.tok:tok-bom";
    }

    private static boolean inPackages(Class<?> c, List<String> packages) {
        String pkg = c.getPackageName();
        return packages.stream().anyMatch(p -> pkg.equals(p) || pkg.startsWith(p + "."));
    }

    /**
     * @param c a provider class
     * @return its name and where it comes from: {@code com.x.P (module m, file:/…/x.jar)}
     */
    static String describe(Class<?> c) {
        String module = c.getModule().isNamed() ? "module " + c.getModule().getName() : null;
        String location = null;
        try {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                location = source.getLocation().toString();
            }
        } catch (SecurityException e) {
            location = null;
        }
        String where = module == null ? location : location == null ? module : module + ", " + location;
        return c.getName() + (where == null ? "" : " (" + where + ")");
    }

    /**
     * Creates a queue, rejecting unknown settings first.
     *
     * @param name     the provider's name
     * @param settings its settings
     * @return the open queue
     */
    static Queue createQueue(String name, Map<String, String> settings) {
        QueueProvider provider = queue(name);
        Settings s = Settings.of("queue '" + name + "'", settings);
        s.requireKnown(provider.settingNames());
        return provider.create(s);
    }

    /**
     * Creates a cluster node (not started), rejecting unknown settings first.
     *
     * @param name     the provider's name
     * @param settings its settings
     * @return the connected node
     */
    static dev.tok.api.spi.Cluster createCluster(String name, Map<String, String> settings) {
        dev.tok.api.spi.ClusterProvider provider = cluster(name);
        Settings s = Settings.of("cluster '" + name + "'", settings);
        s.requireKnown(provider.settingNames());
        return provider.create(s);
    }

    /**
     * Creates a hub, resolving the default queue when the configuration names none.
     *
     * @param config the configuration
     * @return the hub runtime
     */
    static HubRuntime createHub(HubConfig config) {
        return createHub(hubProvider(), config);
    }

    /**
     * Finds the one hub implementation, opening nothing: {@link TokServer.Builder#build()} calls
     * it so that a missing tok-core is reported before any queue is opened.
     *
     * @return the provider
     * @throws ConfigurationException when there is none (add tok-core), several, or one of
     *         another SPI version
     */
    static HubProvider hubProvider() {
        Discovery<HubProvider> discovery = discover("HubProvider", HubProvider.class, HubProvider::name, HubProvider::spiVersion);
        List<Found<HubProvider>> hubs = new ArrayList<>();
        discovery.byName().values().forEach(hubs::addAll);
        if (hubs.isEmpty()) {
            ConfigurationException e = new ConfigurationException("No tok hub implementation found. Add dev.tok:tok-core to the "
                    + "runtime class path or module path (it is the only implementation of dev.tok.api.spi.HubProvider)"
                    + (discovery.broken().isEmpty() ? "" : "; a HubProvider failed to load: see the suppressed exceptions"));
            discovery.broken().forEach(e::addSuppressed);
            throw e;
        }
        if (hubs.size() > 1) {
            throw new ConfigurationException("several hub implementations found: "
                    + hubs.stream().map(h -> describe(h.provider().getClass())).collect(Collectors.joining(", "))
                    + "; keep exactly one");
        }
        requireVersion("hub implementation", hubs.get(0));
        return hubs.get(0).provider();
    }

    /**
     * Creates a hub, resolving the default queue when the configuration names none.
     *
     * @param provider the hub implementation, from {@link #hubProvider()}
     * @param config   the configuration
     * @return the hub runtime
     */
    static HubRuntime createHub(HubProvider provider, HubConfig config) {
        HubConfig resolved = config;
        if (config.queue().isEmpty() && !config.noQueue()) {
            LOG.log(Level.INFO, "no queue configured: using the default in-memory queue 'memory' "
                    + "(messages for offline users are lost on restart; choose 'chronicle' to keep them)");
            resolved = config.toBuilder().queue(createQueue("memory", Map.of())).build();
        }
        return provider.create(resolved);
    }
}
