package dev.tok.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.spi.HubProvider;
import dev.tok.api.spi.HubRuntime;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import dev.tok.api.spi.TransportProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider lookup rules: reserved names, broken providers, SPI versions. Each test adds providers
 * to the ones tok-api's tests always have ('loop', 'twin' twice) through a context class loader
 * with extra {@code META-INF/services} entries, the loader tok-api's lookup asks.
 */
class ProviderLookupTest {

    @TempDir
    Path dir;

    private static HubConfig.Builder config() {
        return HubConfig.builder().actor((d, p) -> { }).readTimeout(Duration.ofSeconds(30))
                .authenticator(r -> java.util.concurrent.CompletableFuture.completedFuture(Device.of("u", "d")));
    }

    @Test
    @DisplayName("a third-party transport named 'tcp' is refused, naming its class and where it comes from")
    void aReservedTransportNameIsRefused() throws Exception {
        services(TransportProvider.class, ImpostorTcp.class.getName());
        assertThatThrownBy(() -> withExtraProviders(() -> TokServer.builder(config().build()).transport("tcp", Map.of()).build()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("the transport name 'tcp' is reserved for tok's own provider (package dev.tok.transport.tcp), but "
                        + ImpostorTcp.class.getName() + " (" + location(ImpostorTcp.class) + ") also claims it")
                .hasMessageEndingWith("give the third-party provider another name");
    }

    @Test
    @DisplayName("a third-party queue named 'memory' does not silently become the default queue")
    void aReservedQueueNameIsRefusedAlsoAsTheDefault() throws Exception {
        services(QueueProvider.class, ImpostorMemory.class.getName());
        services(HubProvider.class, RefusingHubProvider.class.getName());
        assertThatThrownBy(() -> withExtraProviders(() -> Hub.create(config().build())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("the queue name 'memory' is reserved for tok's own provider (package dev.tok.queue.memory), but "
                        + ImpostorMemory.class.getName());
        assertThatThrownBy(() -> withExtraProviders(() -> TokServer.builder(config().build()).queue("memory", Map.of())
                .transport("loop", Map.of()).build()))
                .hasMessageContaining("the queue name 'memory' is reserved");
    }

    @Test
    @DisplayName("providers that fail to load are skipped: the others are still found, a 'not found' error carries them")
    void aBrokenProviderDoesNotHideTheOthers() throws Exception {
        services(TransportProvider.class, "dev.tok.api.NoSuchTransportProvider", FailingConstructor.class.getName());
        TransportProvider loop = withExtraProviders(() -> Providers.transport("loop"));
        assertThat(loop).isInstanceOf(LoopTransportProvider.class);

        assertThatThrownBy(() -> withExtraProviders(() -> Providers.transport("jetty-ws")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("No TransportProvider named 'jetty-ws'; found [loop, twin]. Add dev.tok:tok-transport-jetty "
                        + "(2 providers failed to load and may be the one: see the suppressed exceptions)")
                .satisfies(e -> {
                    assertThat(e.getSuppressed()).hasSize(2).allMatch(s -> s instanceof ServiceConfigurationError);
                    assertThat(e.getSuppressed()[0]).hasMessageContaining("dev.tok.api.NoSuchTransportProvider");
                    assertThat(e.getSuppressed()[1]).hasMessageContaining(FailingConstructor.class.getName());
                });
    }

    @Test
    @DisplayName("a provider that reports another SPI version is refused with a sentence naming both versions and tok-bom")
    void anOtherSpiVersionIsRefused() throws Exception {
        services(TransportProvider.class, VersionZero.class.getName());
        assertThatThrownBy(() -> withExtraProviders(() -> Providers.transport("version-zero")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("transport 'version-zero' (" + VersionZero.class.getName() + " (" + location(VersionZero.class)
                        + ")) was built for tok SPI version 0 but this tok-api is version " + Spi.VERSION
                        + "; use matching versions from dev.tok:tok-bom");
    }

    @Test
    @DisplayName("a provider compiled against a tok-api without spiVersion() is refused with a sentence, not AbstractMethodError")
    void aProviderCompiledAgainstAnOlderApiIsRefused() throws Exception {
        // compile a provider against a stub of the old TransportProvider (no spiVersion()), then
        // run it against the real tok-api, as a jar built for an old tok-api would run
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path stub = Files.createDirectories(dir.resolve("stub/dev/tok/api/spi"));
        Files.writeString(stub.resolve("TransportProvider.java"), "package dev.tok.api.spi;\n"
                + "public interface TransportProvider {\n"
                + "  String name();\n"
                + "  java.util.Set<String> settingNames();\n"
                + "  Transport create(Settings settings);\n"
                + "}\n");
        Path old = Files.createDirectories(src.resolve("com/example/old"));
        Files.writeString(old.resolve("OldProvider.java"), "package com.example.old;\n"
                + "public class OldProvider implements dev.tok.api.spi.TransportProvider {\n"
                + "  public String name() { return \"old\"; }\n"
                + "  public java.util.Set<String> settingNames() { return java.util.Set.of(); }\n"
                + "  public dev.tok.api.spi.Transport create(dev.tok.api.spi.Settings s) { throw new UnsupportedOperationException(); }\n"
                + "}\n");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.PrintWriter print = new java.io.PrintWriter(out);
        int rc = java.util.spi.ToolProvider.findFirst("javac").orElseThrow().run(print, print, "-d", classes.toString(), "-cp", location(Spi.class).getPath(),
                "-sourcepath", dir.resolve("stub").toString(), "-Xprefer:source", "-implicit:none",
                old.resolve("OldProvider.java").toString());
        assertThat(rc).as("javac: %s", out).isZero();
        assertThat(classes.resolve("dev")).as("the stub stays out of the provider's jar").doesNotExist();
        Path services = Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(services.resolve(TransportProvider.class.getName()), "com.example.old.OldProvider\n");

        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader jar = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Thread.currentThread().setContextClassLoader(jar);
            assertThatThrownBy(() -> Providers.transport("old"))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("transport 'old' (com.example.old.OldProvider (" + classes.toUri().toURL()
                            + ")) was built for a tok SPI older than version 1 (it has no spiVersion() method) but this tok-api "
                            + "is version " + Spi.VERSION + "; use matching versions from dev.tok:tok-bom");
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    @DisplayName("the lookup is not public API: tok-api exports no class that finds providers")
    void theLookupIsPackagePrivate() {
        assertThat(java.lang.reflect.Modifier.isPublic(Providers.class.getModifiers())).isFalse();
        assertThat(Providers.class.getPackageName()).isEqualTo("dev.tok.api");
    }

    private void services(Class<?> service, String... providers) throws IOException {
        Path file = dir.resolve("extra/META-INF/services/" + service.getName());
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", providers) + "\n", StandardCharsets.UTF_8);
    }

    private <T> T withExtraProviders(Callable<T> lookup) throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader extra = new URLClassLoader(new URL[] {dir.resolve("extra").toUri().toURL()}, getClass().getClassLoader())) {
            Thread.currentThread().setContextClassLoader(extra);
            return lookup.call();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** A third-party transport that claims the built-in name 'tcp'. */
    public static class ImpostorTcp extends LoopTransportProvider {
        @Override
        public String name() {
            return "tcp";
        }
    }

    /** A provider reporting SPI version 0. */
    public static class VersionZero extends LoopTransportProvider {
        @Override
        public String name() {
            return "version-zero";
        }

        @Override
        public String spiVersion() {
            return String.valueOf(0);
        }
    }

    /** A provider whose constructor fails: ServiceLoader reports a ServiceConfigurationError. */
    public static class FailingConstructor extends LoopTransportProvider {
        public FailingConstructor() {
            throw new IllegalStateException("broken on purpose");
        }
    }

    /** A third-party queue that claims the built-in name 'memory'. */
    public static class ImpostorMemory implements QueueProvider {
        @Override
        public String spiVersion() {
            return Spi.VERSION;
        }

        @Override
        public String name() {
            return "memory";
        }

        @Override
        public Set<String> settingNames() {
            return Set.of();
        }

        @Override
        public Queue create(Settings settings) {
            throw new AssertionError("the impostor must not be used");
        }
    }

    /** A hub implementation that must not be reached: the default queue is looked up first. */
    public static class RefusingHubProvider implements HubProvider {
        @Override
        public String spiVersion() {
            return Spi.VERSION;
        }

        @Override
        public String name() {
            return "refusing";
        }

        @Override
        public HubRuntime create(HubConfig config) {
            throw new AssertionError("the default queue is resolved before the hub is created");
        }
    }

}
