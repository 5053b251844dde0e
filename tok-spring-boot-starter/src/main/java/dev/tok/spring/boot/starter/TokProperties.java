package dev.tok.spring.boot.starter;

import dev.tok.api.HubConfig;
import dev.tok.api.spi.ClusterProvider;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.TransportProvider;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The {@code tok.*} properties of the environment, read as one flat map and handed to tok, which
 * knows the keys and rejects unknown ones: {@code tok.hub.*} to {@code HubConfig.Builder.settings}
 * (so that hook beans and customizers come after them), the rest to
 * {@code TokServer.Builder.properties(Properties)}.
 * Nothing here re-declares tok's keys: the binder reads whatever is under {@code tok.}, and only
 * the spelling of a key is adjusted.
 *
 * <p>Spring's relaxed names reach a flat map as written ({@code pingInterval}), or with dots for
 * the underscores of environment variables ({@code TOK_HUB_PING_INTERVAL} reads
 * {@code hub.ping.interval}). Each key of {@code tok.hub.*}, {@code tok.queue.*},
 * {@code tok.cluster.*} (the cluster provider's keys and {@code allow-node-local-queue}) and
 * {@code tok.transport.<name>.*} is therefore matched against the names its owner knows
 * ({@link HubConfig#SETTING_NAMES}, each provider's {@code settingNames()}) ignoring case, dashes,
 * dots and underscores, and replaced by the canonical name when one matches; a key that matches
 * nothing is passed on unchanged, so tok's own message (with its did-you-mean) reports it.
 *
 * <p>Three keys belong to the starter and are not passed on: {@code tok.enabled},
 * {@code tok.start-timeout} and {@code tok.stop-timeout}.
 *
 * <p>A key outside tok's sections ({@code tok.hub.*}, {@code tok.queue}, {@code tok.queue.*},
 * {@code tok.cluster}, {@code tok.cluster.*}, {@code tok.transports}, {@code tok.transport.*}) fails the start with tok's message, unless it
 * comes only from the JVM's system properties or the process environment: those are shared with
 * everything else in the process (a build's {@code -Dtok.javadoc.skip}, a container's
 * {@code TOK_VERSION}), so such a key is logged at WARN and ignored. Inside a section, a misspelled
 * key fails wherever it comes from.
 *
 * @param hub          the {@code tok.hub.*} settings, without the prefix, for
 *                     {@code HubConfig.Builder.settings(Map)}; never null
 * @param tok          the other properties, for {@code TokServer.Builder.properties}, keys with the
 *                     {@code tok.} prefix; never null
 * @param queueName    {@code tok.queue}, if set
 * @param startTimeout {@code tok.start-timeout}: how long each transport may take to start
 * @param stopTimeout  {@code tok.stop-timeout}: how long each transport may take to stop
 */
record TokProperties(Map<String, String> hub, Properties tok, Optional<String> queueName, Optional<Duration> startTimeout,
        Optional<Duration> stopTimeout) {

    private static final Logger LOG = LoggerFactory.getLogger(TokProperties.class);

    /** The sections of tok's keys (the first name below {@code tok.}). */
    private static final Set<String> SECTIONS = Set.of("hub", "queue", "cluster", "transport");

    /** A key of {@code tok.cluster.*} that TokServer reads itself, whatever the provider. */
    static final String ALLOW_NODE_LOCAL_QUEUE = "allow-node-local-queue";

    /** The property prefix. */
    static final String PREFIX = "tok";

    /** Keys of the starter itself, below {@link #PREFIX}; never passed to tok. */
    static final List<String> STARTER_KEYS = List.of("enabled", "start-timeout", "stop-timeout");

    /**
     * Reads the {@code tok.*} properties.
     *
     * @param environment the application's environment; not null
     * @param loader      where to look for transport and queue providers (their setting names)
     * @return the properties
     * @throws dev.tok.api.ConfigurationException never; malformed values are reported by tok when
     *         the server is built (a malformed starter timeout is reported by Spring's binder)
     */
    static TokProperties read(Environment environment, ClassLoader loader) {
        Binder binder = Binder.get(environment);
        Map<String, String> flat = binder.bind(PREFIX, Bindable.mapOf(String.class, String.class)).orElseGet(Map::of);
        // a comma-separated value or a YAML list (tok.transports[0], ...) alike
        List<String> transports = binder.bind(PREFIX + ".transports", Bindable.listOf(String.class)).orElseGet(List::of)
                .stream().map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toList());
        Optional<Duration> startTimeout = binder.bind(PREFIX + ".start-timeout", Duration.class).map(Optional::of)
                .orElseGet(Optional::empty);
        Optional<Duration> stopTimeout = binder.bind(PREFIX + ".stop-timeout", Duration.class).map(Optional::of)
                .orElseGet(Optional::empty);

        Map<String, String> keys = new LinkedHashMap<>();
        String queue = null;
        String cluster = null;
        for (Map.Entry<String, String> e : flat.entrySet()) {
            String key = e.getKey();
            String uniform = uniform(key);
            if (uniform.startsWith("transports") || STARTER_KEYS.stream().anyMatch(k -> uniform(k).equals(uniform))) {
                continue;
            }
            if (uniform.equals("queue")) {
                queue = e.getValue() == null ? null : e.getValue().trim();
                continue;
            }
            if (uniform.equals("cluster")) {
                cluster = e.getValue() == null ? null : e.getValue().trim();
                continue;
            }
            if (!SECTIONS.contains(key.split("\\.")[0].toLowerCase(Locale.ROOT)) && onlyFromTheProcess(environment, key)) {
                LOG.warn("ignoring '{}.{}' of the system properties or environment variables: tok reads only tok.hub.*, "
                        + "tok.queue, tok.queue.*, tok.cluster, tok.cluster.*, tok.transports, tok.transport.<name>.* and the "
                        + "starter's tok.enabled, "
                        + "tok.start-timeout and tok.stop-timeout", PREFIX, key);
                continue;
            }
            keys.put(key, e.getValue());
        }
        String queueName = queue == null || queue.isEmpty() ? null : queue;
        String clusterName = cluster == null || cluster.isEmpty() ? null : cluster;

        Properties tok = new Properties();
        if (!transports.isEmpty()) {
            tok.setProperty("tok.transports", String.join(",", transports));
        }
        if (queueName != null) {
            tok.setProperty("tok.queue", queueName);
        }
        if (clusterName != null) {
            tok.setProperty("tok.cluster", clusterName);
        }
        Map<String, String> hub = new LinkedHashMap<>();
        Map<String, Set<String>> transportSettings = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            String key = canonical(e.getKey(), transports, queueName, clusterName,
                    name -> transportSettings.computeIfAbsent(name, n -> transportSettingNames(n, loader)),
                    loader);
            String value = e.getValue() == null ? "" : e.getValue();
            if (key.startsWith("hub.")) {
                hub.put(key.substring("hub.".length()), value);
            } else {
                tok.setProperty(PREFIX + "." + key, value);
            }
        }
        return new TokProperties(Map.copyOf(hub), tok, Optional.ofNullable(queueName), startTimeout, stopTimeout);
    }

    /**
     * Whether {@code tok.<key>} is set by the JVM's system properties or the process environment
     * and by no other property source.
     */
    private static boolean onlyFromTheProcess(Environment environment, String key) {
        if (!(environment instanceof ConfigurableEnvironment)) {
            return false;
        }
        String name = PREFIX + "." + key;
        boolean process = false;
        for (PropertySource<?> source : ((ConfigurableEnvironment) environment).getPropertySources()) {
            if (!source.containsProperty(name)) {
                continue;
            }
            String sourceName = source.getName();
            if (sourceName.equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME)
                    || sourceName.equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
                process = true;
            } else if (!sourceName.equals("configurationProperties")) {
                return false;
            }
        }
        return process;
    }

    /** The key (below {@code tok.}) in tok's spelling, or as given when nothing matches. */
    private static String canonical(String key, List<String> transports, String queueName, String clusterName,
            Function<String, Set<String>> transportSettings, ClassLoader loader) {
        String[] parts = key.split("\\.");
        String section = parts[0].toLowerCase(Locale.ROOT);
        String rest = parts.length > 1 ? key.substring(parts[0].length() + 1) : null;
        if (rest == null) {
            return key;
        }
        switch (section) {
            case "hub":
                return "hub." + match(rest, HubConfig.SETTING_NAMES);
            case "queue":
                return "queue." + (queueName == null ? rest : match(rest, queueSettingNames(queueName, loader)));
            case "cluster":
                return "cluster." + match(rest, clusterSettingNames(clusterName, loader));
            case "transport":
                for (String name : transports) {
                    if (rest.startsWith(name + ".")) {
                        return "transport." + name + "." + match(rest.substring(name.length() + 1), transportSettings.apply(name));
                    }
                }
                // jetty-ws written as jetty.ws (TOK_TRANSPORT_JETTY_WS_PORT) or jettyWs
                String[] r = rest.split("\\.");
                for (int i = 1; i < r.length; i++) {
                    String head = String.join(".", List.of(r).subList(0, i));
                    String tail = String.join(".", List.of(r).subList(i, r.length));
                    for (String name : transports) {
                        if (uniform(head).equals(uniform(name))) {
                            return "transport." + name + "." + match(tail, transportSettings.apply(name));
                        }
                    }
                }
                return key;
            default:
                return key;
        }
    }

    /** The known name that {@code key} spells in a relaxed way, or {@code key}. */
    static String match(String key, Set<String> known) {
        if (known.contains(key)) {
            return key;
        }
        String u = uniform(key);
        for (String k : known) {
            if (uniform(k).equals(u)) {
                return k;
            }
        }
        return key;
    }

    /** Lowercase, without dashes, dots and underscores: how Spring compares relaxed names. */
    static String uniform(String name) {
        StringBuilder s = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '-' && c != '.' && c != '_') {
                s.append(Character.toLowerCase(c));
            }
        }
        return s.toString();
    }

    private static Set<String> transportSettingNames(String name, ClassLoader loader) {
        return settingNames(ServiceLoader.load(TransportProvider.class, loader), TransportProvider::name,
                TransportProvider::settingNames, name);
    }

    /** The cluster provider's setting names (none without a name) and {@link #ALLOW_NODE_LOCAL_QUEUE}. */
    private static Set<String> clusterSettingNames(String name, ClassLoader loader) {
        Set<String> names = new java.util.HashSet<>(Set.of(ALLOW_NODE_LOCAL_QUEUE));
        if (name != null) {
            names.addAll(settingNames(ServiceLoader.load(ClusterProvider.class, loader), ClusterProvider::name,
                    ClusterProvider::settingNames, name));
        }
        return names;
    }

    private static Set<String> queueSettingNames(String name, ClassLoader loader) {
        return settingNames(ServiceLoader.load(QueueProvider.class, loader), QueueProvider::name,
                QueueProvider::settingNames, name);
    }

    /**
     * The setting names of the provider called {@code name}; empty when none is found. Providers
     * that fail to load are skipped: tok reports them when it looks the provider up itself.
     */
    private static <T> Set<String> settingNames(ServiceLoader<T> loader, Function<T, String> nameOf,
            Function<T, Set<String>> settingsOf, String name) {
        Iterator<T> it = loader.iterator();
        for (int errors = 0; errors < 64; ) {
            try {
                if (!it.hasNext()) {
                    return Set.of();
                }
                T p = it.next();
                if (name.equals(nameOf.apply(p))) {
                    return settingsOf.apply(p);
                }
            } catch (ServiceConfigurationError | RuntimeException broken) {
                errors++;
            }
        }
        return Set.of();
    }
}
