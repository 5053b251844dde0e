package dev.tok.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.spi.ClusterProvider;
import dev.tok.api.spi.HubProvider;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.TransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every provider is registered twice, consistently: a {@code provides} clause for the module
 * path and a {@code META-INF/services} file for the class path; provider modules export nothing
 * but, for the transports, the one package of their typed settings.
 */
class ServiceRegistrationTest {

    private static final List<Class<?>> SERVICES = List.of(HubProvider.class, QueueProvider.class, TransportProvider.class,
            ClusterProvider.class);

    /**
     * Provider modules that export one package on purpose: their root package, with their typed
     * settings ({@code TcpTransport.settings()}, ...); jetty's also holds JettyWebSocketMount, the
     * entry point for mounting into an application's Jetty server. Every other provider module
     * exports nothing.
     */
    private static final Set<String> EXPORTS_SETTINGS = Set.of("dev.tok.transport.tcp", "dev.tok.transport.jetty",
            "dev.tok.transport.netty.ws");

    @Test
    void providesClausesAndServiceFilesAgreeAndProviderModulesExportOnlyTheirSettings() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Class<?> service : SERVICES) {
            for (ServiceLoader.Provider<?> provider : ServiceLoader.load(service).stream().collect(Collectors.toList())) {
                Class<?> impl = provider.type();
                ModuleReference module = moduleOf(impl);
                ModuleDescriptor d = module.descriptor();
                assertThat(d.provides()).as("%s provides %s with %s", d.name(), service.getName(), impl.getName())
                        .anyMatch(p -> p.service().equals(service.getName()) && p.providers().contains(impl.getName()));
                assertThat(serviceFile(module, service)).as("META-INF/services/%s in %s", service.getName(), d.name())
                        .contains(impl.getName());
                for (ModuleDescriptor.Provides p : d.provides()) {
                    assertThat(serviceFile(module, Class.forName(p.service()))).as("service file for every provides clause of %s", d.name())
                            .containsAll(p.providers());
                }
                if (EXPORTS_SETTINGS.contains(d.name())) {
                    assertThat(d.exports()).as("exports of provider module %s: its settings package only", d.name())
                            .singleElement().satisfies(e -> {
                                assertThat(e.source()).isEqualTo(d.name());
                                assertThat(e.isQualified()).isFalse();
                            });
                } else {
                    assertThat(d.exports()).as("exports of provider module %s", d.name()).isEmpty();
                }
                assertThat(d.name()).as("module name of %s", impl.getName()).isEqualTo(expectedModuleName(module));
                checked.add(d.name());
            }
        }
        assertThat(checked).contains("dev.tok.core", "dev.tok.queue.memory", "dev.tok.queue.redis", "dev.tok.cluster.redis",
                "dev.tok.transport.tcp",
                "dev.tok.transport.jetty", "dev.tok.transport.netty.ws");
    }

    @Test
    void theApiModuleRequiresOnlyTheJdkAndDeclaresEveryUse() throws Exception {
        ModuleDescriptor api = moduleOf(dev.tok.api.Hub.class).descriptor();
        assertThat(api.requires()).allMatch(r -> r.name().equals("java.base"));
        assertThat(api.uses()).containsExactlyInAnyOrder(SERVICES.stream().map(Class::getName).toArray(String[]::new));
        assertThat(api.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder("dev.tok.api", "dev.tok.api.spi");
    }

    @Test
    void theTransportSupportIsExportedOnlyToTheBuiltInTransportsAndNeedsOnlyTheApiAndOptionallyNetty() throws Exception {
        ModuleDescriptor support = moduleOf(dev.tok.transport.support.ServerTls.class).descriptor();
        assertThat(support.name()).isEqualTo("dev.tok.transport.support");
        assertThat(support.exports()).hasSize(2).allSatisfy(e -> assertThat(e.isQualified()).as("a qualified export").isTrue());
        assertThat(support.exports()).filteredOn(e -> e.source().equals("dev.tok.transport.support")).singleElement()
                .satisfies(e -> assertThat(e.targets()).containsExactlyInAnyOrder("dev.tok.transport.tcp",
                        "dev.tok.transport.jetty", "dev.tok.transport.netty.ws"));
        assertThat(support.exports()).filteredOn(e -> e.source().equals("dev.tok.transport.support.netty")).singleElement()
                .satisfies(e -> assertThat(e.targets()).as("the Netty transports only")
                        .containsExactlyInAnyOrder("dev.tok.transport.tcp", "dev.tok.transport.netty.ws"));
        assertThat(support.requires()).extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("java.base", "dev.tok.api", "io.netty.transport", "io.netty.common",
                        "io.netty.transport.classes.epoll");
        assertThat(support.requires()).filteredOn(r -> r.name().startsWith("io.netty"))
                .as("Netty only for the Netty transports, which bring it: jetty-ws runs without")
                .allMatch(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC));
        assertThat(support.provides()).isEmpty();
    }

    private static ModuleReference moduleOf(Class<?> c) throws URISyntaxException {
        Path location = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<ModuleReference> found = ModuleFinder.of(location).findAll();
        assertThat(found).as("module at %s", location).hasSize(1);
        return found.iterator().next();
    }

    /** dev. + artifactId with - as . ; the artifactId is read from the jar or target/classes path. */
    private static String expectedModuleName(ModuleReference module) {
        Path p = Path.of(module.location().orElseThrow());
        String artifact = p.getFileName().toString().equals("classes") ? p.getParent().getParent().getFileName().toString()
                : p.getFileName().toString().replaceFirst("-\\d.*\\.jar$", "");
        return "dev." + artifact.replace('-', '.');
    }

    private static List<String> serviceFile(ModuleReference module, Class<?> service) throws IOException {
        try (ModuleReader reader = module.open()) {
            Optional<InputStream> in = reader.open("META-INF/services/" + service.getName());
            if (in.isEmpty()) {
                return List.of();
            }
            try (InputStream s = in.get()) {
                return Stream.of(new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                        .map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty()).collect(Collectors.toList());
            }
        }
    }
}
