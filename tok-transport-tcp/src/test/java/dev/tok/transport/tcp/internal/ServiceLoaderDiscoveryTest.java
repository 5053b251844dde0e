package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The provider is found by {@link ServiceLoader} from outside the module: in a fresh module
 * layer built from the real jars/directories, on a plain class path (through
 * {@code META-INF/services}), and through tok-api's own lookup.
 */
class ServiceLoaderDiscoveryTest {

    private static final String SPI = "dev.tok.api.spi.TransportProvider";

    private static List<Path> modulePath() {
        String mp = System.getProperty("jdk.module.path", "");
        List<Path> paths = new ArrayList<>();
        for (String p : mp.split(File.pathSeparator)) {
            if (!p.isBlank() && Files.exists(Path.of(p))) {
                paths.add(Path.of(p));
            }
        }
        assertThat(paths).as("the tests run on the module path (jdk.module.path)").isNotEmpty();
        return paths;
    }

    @Test
    @DisplayName("in a new module layer, tok-api's TransportProvider service binds to module dev.tok.transport.tcp, which exports nothing")
    void foundAsNamedModuleInAFreshLayer() throws Exception {
        ModuleFinder finder = ModuleFinder.of(modulePath().toArray(new Path[0]));
        Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.tok.api"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        assertThat(cf.findModule("dev.tok.transport.tcp")).as("bound as a provider of a service dev.tok.api uses").isPresent();

        Class<?> spi = Class.forName(SPI, false, layer.findLoader("dev.tok.api"));
        assertThat(spi).isNotSameAs(dev.tok.api.spi.TransportProvider.class); // really the fresh layer's copy
        getClass().getModule().addUses(spi);
        List<Object> tcp = new ArrayList<>();
        for (Object provider : ServiceLoader.load(layer, spi)) {
            if ("tcp".equals(spi.getMethod("name").invoke(provider))) {
                tcp.add(provider);
            }
        }
        assertThat(tcp).hasSize(1);
        Module module = tcp.get(0).getClass().getModule();
        assertThat(module.getName()).isEqualTo("dev.tok.transport.tcp");
        assertThat(module.getLayer()).isSameAs(layer);
        ModuleDescriptor d = module.getDescriptor();
        assertThat(d.exports()).as("a provider module exports only its typed settings").singleElement()
                .satisfies(e -> {
                    assertThat(e.source()).isEqualTo("dev.tok.transport.tcp");
                    assertThat(e.isQualified()).isFalse();
                });
        assertThat(d.isOpen()).isFalse();
        assertThat(d.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo(SPI);
            assertThat(p.providers()).containsExactly(TcpTransportProvider.class.getName());
        });
        assertThat(module.isExported("dev.tok.transport.tcp.internal")).as("the implementation").isFalse();
        @SuppressWarnings("unchecked")
        Set<String> names = (Set<String>) spi.getMethod("settingNames").invoke(tcp.get(0));
        assertThat(names).contains("host", "port", "max-frame-length");
    }

    @Test
    @DisplayName("on a plain class path, META-INF/services finds the provider")
    void foundOnTheClassPath() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (Path p : modulePath()) {
            urls.add(p.toUri().toURL());
        }
        try (URLClassLoader loader = new ChildFirstLoader(urls.toArray(new URL[0]))) {
            Class<?> spi = Class.forName(SPI, false, loader);
            assertThat(spi.getModule().isNamed()).as("tok-api loaded from the class path").isFalse();
            getClass().getModule().addUses(spi);
            List<String> found = new ArrayList<>();
            for (Object provider : ServiceLoader.load(spi, loader)) {
                assertThat(provider.getClass().getModule().isNamed()).isFalse();
                found.add((String) spi.getMethod("name").invoke(provider));
            }
            assertThat(found).contains("tcp");
        }
    }

    @Test
    @DisplayName("tok-api's TokServer finds 'tcp' by name and rejects an unknown setting listing the known ones")
    void foundThroughTheApi() {
        HubConfig config = HubConfig.builder().actor((d, p) -> { }).readTimeout(java.time.Duration.ofMinutes(1))
                .authenticator(r -> java.util.concurrent.CompletableFuture.failedFuture(new dev.tok.api.AuthenticationException("no")))
                .build();
        assertThat(TokServer.builder(config).transport("tcp", Map.of("port", "0")).build()).isNotNull();
        assertThatThrownBy(() -> TokServer.builder(config).transport("tcp", Map.of("port", "0", "prot", "1")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'prot' for transport 'tcp'")
                .hasMessageContaining("max-frame-length");
    }

    /**
     * Loads classes from its URLs before asking the platform loader. A plain URLClassLoader would
     * not do: the JDK's built-in loaders share one package-to-module map, so a parent-first lookup
     * returns the boot layer's named-module classes, and ServiceLoader ignores class-path entries
     * whose classes are in named modules.
     */
    private static final class ChildFirstLoader extends URLClassLoader {
        ChildFirstLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && !name.startsWith("java.")) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        // fall through to the platform loader
                    }
                }
                if (c == null) {
                    c = super.loadClass(name, false);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
