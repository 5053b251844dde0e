package dev.tok.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * On the module path, resolving this transport's module alone (as {@code java -p ... -m app}
 * does, unlike surefire's ALL-MODULE-PATH) also resolves Netty's native epoll modules, so epoll
 * works without {@code --add-modules}.
 */
class NativeEpollModuleTest {

    @Test
    @DisplayName("the module path resolves the native epoll modules from this module's requires, no --add-modules needed")
    void nativeEpollModulesAreResolvedWithoutFlags() {
        String modulePath = System.getProperty("jdk.module.path", "");
        assertThat(modulePath).as("the tests run on the module path").isNotBlank();
        Path[] entries = Arrays.stream(modulePath.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of)
                .toArray(Path[]::new);
        Configuration resolved = Configuration.resolve(ModuleFinder.of(entries), List.of(Configuration.empty()),
                ModuleFinder.ofSystem(), Set.of("dev.tok.transport.tcp"));
        Set<String> names = resolved.modules().stream().map(ResolvedModule::name).collect(Collectors.toSet());
        assertThat(names).contains("io.netty.transport.classes.epoll", "io.netty.transport.epoll.linux.x86_64",
                "io.netty.transport.epoll.linux.aarch_64");
    }
}
