package dev.tok.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.List;
import java.util.Set;

/** Which packages make up which tok module. Extend it when a module is added. */
final class ModuleLayout {

    /** One package per module (its root), all of which must be on this module's test path. */
    static final String[] PACKAGES = {
        "dev.tok.api", "dev.tok.api.spi", "dev.tok.core", "dev.tok.queue.memory", "dev.tok.queue.chronicle", "dev.tok.queue.redis",
        "dev.tok.cluster.redis", "dev.tok.testkit", "dev.tok.transport.support", "dev.tok.transport.tcp", "dev.tok.transport.jetty",
        "dev.tok.transport.netty.ws", "dev.tok.metrics.micrometer", "dev.tok.tracing.otel", "dev.tok.spring.boot.starter",
    };

    /** The Spring Boot starter: the one module that may use Spring. */
    static final String SPRING_STARTER = "dev.tok.spring.boot.starter";

    /**
     * Root packages of metrics and tracing modules, with the one third-party library (root
     * package) each may use besides tok-api and the JDK.
     */
    static final java.util.Map<String, String> OBSERVABILITY_PACKAGES = java.util.Map.of(
            "dev.tok.metrics.micrometer", "io.micrometer",
            "dev.tok.tracing.otel", "io.opentelemetry");

    /** Root packages of transport, queue and cluster modules: providers found with ServiceLoader. */
    static final List<String> PROVIDER_PACKAGES = List.of("dev.tok.queue.memory", "dev.tok.queue.chronicle",
            "dev.tok.queue.redis", "dev.tok.cluster.redis", "dev.tok.transport.tcp", "dev.tok.transport.jetty", "dev.tok.transport.netty.ws");

    /**
     * Queue and cluster modules that may use exactly one library (root package) besides tok-api
     * and the JDK. The redis queue and the redis cluster talk to Redis through Lettuce only (their
     * log lines go to System.Logger): no Netty, Reactor or SLF4J type in their code.
     */
    static final java.util.Map<String, String> SINGLE_LIBRARY_QUEUES = java.util.Map.of(
            "dev.tok.queue.redis", "io.lettuce",
            "dev.tok.cluster.redis", "io.lettuce");

    /** @return {@link #OBSERVABILITY_PACKAGES} and {@link #SINGLE_LIBRARY_QUEUES}: modules that may use one library */
    static java.util.Map<String, String> singleLibraryModules() {
        java.util.Map<String, String> all = new java.util.TreeMap<>(OBSERVABILITY_PACKAGES);
        all.putAll(SINGLE_LIBRARY_QUEUES);
        return all;
    }

    /** Code shared by the built-in transports; not a provider, not API. */
    static final String TRANSPORT_SUPPORT = "dev.tok.transport.support";

    /** The part of {@link #TRANSPORT_SUPPORT} that only the Netty transports use; it may use Netty. */
    static final String TRANSPORT_SUPPORT_NETTY = "dev.tok.transport.support.netty";

    /** The transports allowed to use {@link #TRANSPORT_SUPPORT}: those of this repository. */
    static final List<String> BUILT_IN_TRANSPORTS = List.of("dev.tok.transport.tcp", "dev.tok.transport.jetty",
            "dev.tok.transport.netty.ws");

    /** The typed settings the built-in transports export, with their nested classes. */
    static final List<String> SETTINGS_CLASSES = List.of("dev.tok.transport.tcp.TcpTransport",
            "dev.tok.transport.jetty.JettyWsTransport", "dev.tok.transport.netty.ws.NettyWsTransport");

    /** Packages of programs with a command line, allowed to print. */
    static final Set<String> COMMAND_LINE_PACKAGES = Set.of();

    /** A slice per module: the longest root in {@link #PACKAGES} (api and spi together) that contains the class. */
    static final SliceAssignment MODULE_SLICES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String pkg = c.getPackageName();
            if (pkg.startsWith("dev.tok.api")) {
                return SliceIdentifier.of("dev.tok.api");
            }
            String best = null;
            for (String root : PACKAGES) {
                if ((pkg.equals(root) || pkg.startsWith(root + ".")) && (best == null || root.length() > best.length())) {
                    best = root;
                }
            }
            return best == null ? SliceIdentifier.ignore() : SliceIdentifier.of(best);
        }

        @Override
        public String getDescription() {
            return "tok modules";
        }
    };

    private ModuleLayout() {
    }
}
