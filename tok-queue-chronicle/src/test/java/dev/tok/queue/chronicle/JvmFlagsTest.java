package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started without Chronicle's flags gets a ConfigurationException naming each missing flag
 * as it must be written, instead of Chronicle's silent read-only fallback. Runs child JVMs with
 * some of the flags removed.
 */
class JvmFlagsTest {

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    private List<String> without(String prefix) {
        List<String> flags = new ArrayList<>(ChildJvm.moduleFlags());
        flags.removeIf(f -> f.startsWith(prefix));
        return flags;
    }

    private String openWith(List<String> flags, String name) throws Exception {
        try (ChildJvm child = ChildJvm.start(logs.resolve(name + ".err"), flags, "open", dir.resolve(name).toString())) {
            String line = child.readUntil(l -> l.startsWith("CONFIG ") || l.equals("CLOSED"), 50);
            assertThat(child.waitFor()).as("exit code; output %s", child.lines).isEqualTo(line != null && line.startsWith("CONFIG") ? 3 : 0);
            return line;
        }
    }

    @Test
    @DisplayName("without any flag: one error naming every missing flag; nothing is created")
    void noFlags() throws Exception {
        String line = openWith(without("--add-"), "none");
        assertThat(line).startsWith("CONFIG ")
                .contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED")
                .contains("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED")
                .contains("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED")
                .contains("README");
        assertThat(Files.exists(dir.resolve("none"))).isFalse();
    }

    @Test
    @DisplayName("without the sun.nio.ch export (Chronicle's read-only trigger): the error names exactly that flag")
    void missingExport() throws Exception {
        String line = openWith(without("--add-exports=java.base/sun.nio.ch"), "export");
        assertThat(line).startsWith("CONFIG ").contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED")
                .doesNotContain("--add-opens");
    }

    @Test
    @DisplayName("with every flag: the queue opens")
    void allFlags() throws Exception {
        assertThat(openWith(ChildJvm.moduleFlags(), "all")).isEqualTo("CLOSED");
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_24)
    @DisplayName("JDK 24+ with --sun-misc-unsafe-memory-access=deny: the error names =allow")
    void unsafeDenied() throws Exception {
        List<String> flags = without("--sun-misc-unsafe-memory-access");
        flags.add("--sun-misc-unsafe-memory-access=deny");
        String line = openWith(flags, "deny");
        assertThat(line).startsWith("CONFIG ").contains("--sun-misc-unsafe-memory-access=allow");
    }
}
