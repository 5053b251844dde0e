package dev.tok.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Queue;
import dev.tok.api.spi.QueueProvider;
import dev.tok.testkit.QueueCompatibilityKit;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The queue is found by its name from outside its module, on the module path (through
 * {@code provides}) and on the class path (through {@code META-INF/services}), with nothing
 * but tok-api and slf4j-api next to it.
 */
class ServiceDiscoveryTest {

    @Test
    @DisplayName("on the module path, another module finds the queue named memory through ServiceLoader")
    void modulePath() {
        assertThat(MemoryQueueProvider.class.getModule().isNamed()).as("tests run on the module path").isTrue();
        // the lookup runs in dev.tok.testkit's code, not in this module
        QueueProvider p = new Lookup().find("memory");
        assertThat(p.getClass().getModule().getName()).isEqualTo("dev.tok.queue.memory");
        try (Queue q = new Lookup().openByName("memory", Map.of("max-messages-per-user", "3"))) {
            q.enqueue("alice", new byte[] {1}, Instant.now().plusSeconds(60));
            assertThat(q.size("alice")).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("the module exports nothing, requires only tok-api and slf4j-api, and provides what META-INF/services lists")
    void moduleDescriptor() throws Exception {
        ModuleDescriptor d = MemoryQueueProvider.class.getModule().getDescriptor();
        assertThat(d.name()).isEqualTo("dev.tok.queue.memory");
        assertThat(d.exports()).isEmpty();
        assertThat(d.opens()).isEmpty();
        assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("java.base", "dev.tok.api", "org.slf4j");
        assertThat(d.provides()).hasSize(1);
        ModuleDescriptor.Provides provides = d.provides().iterator().next();
        assertThat(provides.service()).isEqualTo(QueueProvider.class.getName());
        assertThat(provides.providers()).containsExactly(MemoryQueueProvider.class.getName());

        String file;
        try (InputStream in = MemoryQueueProvider.class.getModule().getResourceAsStream(
                "META-INF/services/" + QueueProvider.class.getName())) {
            assertThat(in).as("META-INF/services file").isNotNull();
            file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(file.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList()))
                .containsExactlyElementsOf(provides.providers());
    }

    @Test
    @DisplayName("on the class path, tok-api's lookup by name finds the queue through META-INF/services")
    void classPath() throws Exception {
        URL[] jars = {
            location(MemoryQueueProvider.class),
            location(QueueProvider.class),
            location(org.slf4j.LoggerFactory.class),
        };
        // parent = the boot loader: the platform loader would delegate to the module path's classes
        try (URLClassLoader isolated = new URLClassLoader(jars, null)) {
            // tok-api's lookup is package-private (not API); on the class path every package is open
            Class<?> providers = isolated.loadClass("dev.tok.api.Providers");
            assertThat(providers.getModule().isNamed()).as("loaded on the class path").isFalse();
            // Providers asks the context class loader, as an application on the class path would have it
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(isolated);
            Object queue;
            try {
                Method createQueue = providers.getDeclaredMethod("createQueue", String.class, Map.class);
                createQueue.setAccessible(true);
                queue = createQueue.invoke(null, "memory", Map.of("max-total-bytes", "1MiB"));
            } finally {
                thread.setContextClassLoader(previous);
            }
            Class<?> queueType = isolated.loadClass("dev.tok.api.Queue");
            assertThat(queue.getClass().getName()).isEqualTo(MemoryQueue.class.getName());
            assertThat(queue.getClass().getClassLoader()).isSameAs(isolated);
            Method enqueue = queueType.getMethod("enqueue", String.class, byte[].class, Instant.class);
            Method size = queueType.getMethod("size", String.class);
            Method close = queueType.getMethod("close");
            enqueue.invoke(queue, "alice", new byte[] {1, 2}, Instant.now().plusSeconds(60));
            assertThat(size.invoke(queue, "alice")).isEqualTo(1);
            close.invoke(queue);
        }
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** Reaches the kit's ServiceLoader helpers, which run in the testkit's module. */
    private static final class Lookup extends QueueCompatibilityKit {
        QueueProvider find(String name) {
            return provider(name);
        }

        Queue openByName(String name, Map<String, String> settings) {
            return open(name, settings);
        }

        @Override
        protected Queue createQueue(Map<String, String> settings) {
            throw new UnsupportedOperationException();
        }
    }

}
