package dev.tok.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tok.api.Hub;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One SLF4J binding shows everything tok logs, and running without one is said once. */
class LoggingTest {

    @Test
    @DisplayName("tok-api's System.Logger messages reach SLF4J through slf4j-jdk-platform-logging, a tok-core dependency")
    void systemLoggerMessagesOfTokApiReachSlf4j() {
        Logger providers = (Logger) LoggerFactory.getLogger("dev.tok.api.Providers");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Level before = providers.getLevel();
        providers.setLevel(Level.DEBUG);
        providers.addAppender(events);
        try (Hub hub = Hub.create(NoSlf4jProviderMain.config())) {
            assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).startsWith("found HubProvider 'core': dev.tok.core.CoreHubProvider"));
        } finally {
            providers.detachAppender(events);
            providers.setLevel(before);
        }
    }

    @Test
    void withABindingNothingIsPrinted() {
        assertThat(LoggingCheck.noProvider()).isFalse();
    }

    @Test
    @DisplayName("without an SLF4J provider, creating hubs prints one line on stderr saying what to add")
    void withoutABindingOneLineSaysWhatToAdd() throws Exception {
        Process child = new ProcessBuilder(javaWithoutLogback(NoSlf4jProviderMain.class)).start();
        child.getOutputStream().close();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> err = stderr.lines().filter(l -> l.startsWith("tok:")).toList();
        assertThat(child.exitValue()).as("stdout %s, stderr %s", out, stderr).isZero();
        assertThat(out).contains("hubs created: 2");
        assertThat(err).containsExactly(LoggingCheck.NO_PROVIDER);
    }

    /** java on the class path of this test minus logback: SLF4J finds no provider. */
    private static List<String> javaWithoutLogback(Class<?> main) throws Exception {
        Set<String> path = new LinkedHashSet<>();
        path.add(Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
                if (!entry.isBlank() && !entry.contains("logback")) {
                    path.add(entry);
                }
            }
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                String.join(File.pathSeparator, path), main.getName());
    }
}
