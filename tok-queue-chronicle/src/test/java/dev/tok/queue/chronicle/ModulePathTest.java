package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the module path: a named application module that requires only {@code dev.tok.api} finds
 * the {@code chronicle} queue through ServiceLoader and uses it, with nothing but the documented
 * flags (aimed at {@code chronicle.core} instead of {@code ALL-UNNAMED}) — no {@code --add-modules}.
 * Without them it gets the probe's error naming the module-path form of each flag.
 */
class ModulePathTest {

    @TempDir
    Path tmp;

    private static final String MODULE_INFO = "module demo {\n"
            + "    requires dev.tok.api;\n"
            + "    uses dev.tok.api.spi.QueueProvider;\n"
            + "}\n";

    private static final String MAIN = "package demo;\n"
            + "import dev.tok.api.ConfigurationException;\n"
            + "import dev.tok.api.Queue;\n"
            + "import dev.tok.api.spi.QueueProvider;\n"
            + "import dev.tok.api.spi.Settings;\n"
            + "public class Main {\n"
            + "    public static void main(String[] args) {\n"
            + "        for (QueueProvider p : java.util.ServiceLoader.load(QueueProvider.class)) {\n"
            + "            if (!p.name().equals(\"chronicle\")) continue;\n"
            + "            Module m = p.getClass().getModule();\n"
            + "            System.out.println(\"MODULE \" + m.getName() + \" automatic=\" + m.getDescriptor().isAutomatic()\n"
            + "                    + \" exports=\" + m.getDescriptor().exports().size());\n"
            + "            try (Queue q = p.create(Settings.of(\"queue 'chronicle'\", java.util.Map.of(\"directory\", args[0])))) {\n"
            + "                q.enqueue(\"u\", new byte[] {7}, java.time.Instant.now().plusSeconds(60));\n"
            + "                System.out.println(\"PEEK \" + q.peek(\"u\", 5).get(0).payload()[0]);\n"
            + "            } catch (ConfigurationException e) {\n"
            + "                System.out.println(\"CONFIG \" + e.getMessage());\n"
            + "            }\n"
            + "        }\n"
            + "    }\n"
            + "}\n";

    /** The runtime jars and class directories of tok-api, this module, Chronicle and SLF4J. */
    private static String runtimeModulePath() {
        List<String> keep = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String e = entry.replace('\\', '/');
            boolean ours = e.contains("tok-api") || (e.contains("tok-queue-chronicle") && e.endsWith("/classes"));
            boolean runtime = e.contains("/net/openhft/") || e.contains("/net/java/dev/jna/") || e.contains("/com/github/jnr/")
                    || e.contains("/org/ow2/asm/") || e.contains("/commons-cli/") || e.contains("/org/slf4j/slf4j-api/")
                    || e.contains("/ch/qos/logback/");
            if (ours || runtime) {
                keep.add(entry);
            }
        }
        return String.join(File.pathSeparator, keep);
    }

    private Path compileDemo(String modulePath) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/demo"));
        Files.writeString(tmp.resolve("src/module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("Main.java"), MAIN);
        Path out = Files.createDirectories(tmp.resolve("demo-classes"));
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", out.toString(), "-p", modulePath, tmp.resolve("src/module-info.java").toString(),
                src.resolve("Main.java").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("javac.out").toFile()).start();
        assertThat(javac.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(javac.exitValue()).as("javac of the demo module; see %s", tmp.resolve("javac.out")).isZero();
        return out;
    }

    private List<String> run(List<String> flags, String modulePath, Path demo, Path queueDir) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.add("-p");
        cmd.add(modulePath + File.pathSeparator + demo);
        cmd.add("-m");
        cmd.add("demo/demo.Main");
        cmd.add(queueDir.toString());
        Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("demo.err").toFile()).start();
        List<String> lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8)).lines().collect(java.util.stream.Collectors.toList());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("exit code; stderr in %s: %s", tmp, lines).isZero();
        return lines;
    }

    @Test
    @DisplayName("a named application module uses the queue with the module-path flags only")
    void namedModuleOnTheModulePath() throws Exception {
        String modulePath = runtimeModulePath();
        Path demo = compileDemo(modulePath);
        List<String> flags = new ArrayList<>();
        for (String f : ChildJvm.moduleFlags()) {
            if (f.startsWith("--enable-native-access")) {
                flags.add("--enable-native-access=org.jnrproject.jffi,com.sun.jna");
            } else {
                flags.add(f.replace("=ALL-UNNAMED", "=chronicle.core"));
            }
        }
        List<String> out = run(flags, modulePath, demo, tmp.resolve("q1"));
        assertThat(out).contains("MODULE dev.tok.queue.chronicle automatic=false exports=0", "PEEK 7");

        List<String> without = run(List.of(), modulePath, demo, tmp.resolve("q2"));
        assertThat(without).anySatisfy(l -> assertThat(l).startsWith("CONFIG ")
                .contains("--add-exports=java.base/sun.nio.ch=chronicle.core")
                .contains("--add-opens=java.base/java.lang.reflect=chronicle.core"));
    }
}
