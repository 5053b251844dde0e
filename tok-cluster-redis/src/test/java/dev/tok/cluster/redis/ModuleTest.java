package dev.tok.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.spi.ClusterProvider;
import dev.tok.api.spi.Spi;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The module: named, exports nothing, requires tok-api, Lettuce and the Netty modules Lettuce needs, found by name. */
class ModuleTest {

    @Test
    @DisplayName("found by ServiceLoader as 'redis' in the named module dev.tok.cluster.redis, which exports nothing")
    void descriptor() throws Exception {
        Module m = RedisClusterProvider.class.getModule();
        assertThat(m.isNamed()).as("tests run on the module path").isTrue();
        m.addUses(ClusterProvider.class);   // tok-api does not look clusters up yet; the test does
        assertThat(ServiceLoader.load(ClusterProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("redis")).findFirst()).get().isInstanceOf(RedisClusterProvider.class)
                .satisfies(p -> assertThat(p.spiVersion()).isEqualTo(Spi.VERSION));
        ModuleDescriptor d = m.getDescriptor();
        assertThat(d.name()).isEqualTo("dev.tok.cluster.redis");
        assertThat(d.isAutomatic()).isFalse();
        assertThat(d.exports()).isEmpty();
        assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .contains("dev.tok.api", "lettuce.core")
                .allMatch(n -> n.startsWith("java.") || n.equals("dev.tok.api") || n.startsWith("lettuce.") || n.startsWith("io.netty.")
                        || n.equals("org.slf4j"));
        assertThat(d.requires()).noneMatch(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE));
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo(ClusterProvider.class.getName());
            assertThat(p.providers()).containsExactly(RedisClusterProvider.class.getName());
        });
        try (InputStream in = m.getResourceAsStream("META-INF/services/" + ClusterProvider.class.getName())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo(RedisClusterProvider.class.getName());
        }
    }
}
