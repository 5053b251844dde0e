package dev.tok.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tests run on the class path, as Spring Boot applications do; this checks the module
 * descriptor: it resolves on the module path against tok-api, SLF4J and the Spring jars (by their
 * manifests' Automatic-Module-Names), without the optional modules, and exports one package.
 */
class ModuleDescriptorTest {

    @Test
    @DisplayName("dev.tok.spring.boot.starter resolves against tok-api, SLF4J and Spring's automatic modules alone")
    void resolves() throws URISyntaxException {
        Path starter = Path.of(TokAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> needed = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of)
                .filter(p -> {
                    String s = p.toString().replace('\\', '/');
                    String name = p.getFileName().toString();
                    return s.contains("/tok-api/") || name.startsWith("tok-api-") || name.startsWith("slf4j-api-")
                            || (name.startsWith("spring-") && !name.startsWith("spring-boot-test")
                                    && !name.startsWith("spring-test") && !name.startsWith("spring-boot-health")
                                    && !name.startsWith("spring-boot-micrometer"));
                }).collect(Collectors.toList());
        ModuleFinder finder = ModuleFinder.of(Stream.concat(Stream.of(starter), needed.stream()).toArray(Path[]::new));
        Configuration graph = Configuration.resolve(finder, List.of(java.lang.ModuleLayer.boot().configuration()),
                ModuleFinder.of(), Set.of("dev.tok.spring.boot.starter"));
        ModuleDescriptor d = graph.findModule("dev.tok.spring.boot.starter").map(ResolvedModule::reference).orElseThrow()
                .descriptor();
        assertThat(d.isAutomatic()).isFalse();
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("dev.tok.spring.boot.starter");
        assertThat(d.requires()).filteredOn(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
                .extracting(ModuleDescriptor.Requires::name)
                .containsExactlyInAnyOrder("dev.tok.metrics.micrometer", "micrometer.core", "spring.boot.health");
        assertThat(graph.modules()).extracting(ResolvedModule::name).contains("spring.boot.autoconfigure", "spring.context",
                "dev.tok.api").doesNotContain("dev.tok.core", "spring.boot.health");
    }
}
