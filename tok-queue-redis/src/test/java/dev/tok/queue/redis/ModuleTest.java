package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.spi.QueueProvider;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import dev.tok.api.Queue;
import dev.tok.testkit.QueueCompatibilityKit;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The module: named, exports nothing, requires tok-api, Lettuce and the Netty modules Lettuce needs, found by name. */
class ModuleTest {

    @Test
    @DisplayName("found by ServiceLoader as 'redis' in the named module dev.tok.queue.redis, which exports nothing")
    void descriptor() throws Exception {
        // the lookup runs in the testkit (an automatic module, which may use any service), as in an application
        QueueProvider found = new Lookup().find("redis");
        assertThat(found).isInstanceOf(RedisQueueProvider.class);
        Module m = RedisQueueProvider.class.getModule();
        assertThat(m.isNamed()).as("tests run on the module path").isTrue();
        ModuleDescriptor d = m.getDescriptor();
        assertThat(d.name()).isEqualTo("dev.tok.queue.redis");
        assertThat(d.isAutomatic()).isFalse();
        assertThat(d.exports()).isEmpty();
        assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .contains("dev.tok.api", "lettuce.core")
                .allMatch(n -> n.startsWith("java.") || n.startsWith("dev.tok.api") || n.startsWith("lettuce.") || n.startsWith("io.netty.") || n.equals("org.slf4j"));
        assertThat(d.requires()).noneMatch(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE));
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo(QueueProvider.class.getName());
            assertThat(p.providers()).containsExactly(RedisQueueProvider.class.getName());
        });
        try (InputStream in = m.getResourceAsStream("META-INF/services/" + QueueProvider.class.getName())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo(RedisQueueProvider.class.getName());
        }
        assertThat(Class.forName("io.lettuce.core.RedisClient").getModule().getName()).isEqualTo("lettuce.core");
    }

    /** Reaches the kit's ServiceLoader lookup. */
    private static final class Lookup extends QueueCompatibilityKit {
        QueueProvider find(String name) {
            return provider(name);
        }

        @Override
        protected Queue createQueue(Map<String, String> settings) {
            throw new UnsupportedOperationException();
        }
    }
}
