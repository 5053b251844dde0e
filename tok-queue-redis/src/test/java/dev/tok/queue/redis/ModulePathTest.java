package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the plain module path ({@code java -p ... -m}, no {@code --add-modules}): a named application
 * module that requires only {@code dev.tok.api} finds the {@code redis} queue and uses it. This
 * proves that the module's {@code requires} of the Netty modules make the automatic
 * {@code lettuce.core} work (surefire's own run adds every module and would hide a gap).
 */
class ModulePathTest {

    @TempDir
    Path tmp;

    private static final String MODULE_INFO = "module demo {\n"
            + "    requires dev.tok.api;\n"
            + "    uses dev.tok.api.spi.QueueProvider;\n"
            + "}\n";

    private static final String MAIN = "package demo;\n"
            + "import dev.tok.api.Queue;\n"
            + "import dev.tok.api.spi.QueueProvider;\n"
            + "import dev.tok.api.spi.Settings;\n"
            + "public class Main {\n"
            + "    public static void main(String[] args) {\n"
            + "        for (QueueProvider p : java.util.ServiceLoader.load(QueueProvider.class)) {\n"
            + "            if (!p.name().equals(\"redis\")) continue;\n"
            + "            Module m = p.getClass().getModule();\n"
            + "            System.out.println(\"MODULE \" + m.getName() + \" automatic=\" + m.getDescriptor().isAutomatic());\n"
            + "            try (Queue q = p.create(Settings.of(\"queue 'redis'\", java.util.Map.of(\"uri\", args[0], \"key-prefix\", args[1])))) {\n"
            + "                long id = q.enqueue(\"u\", new byte[] {7}, java.time.Instant.now().plusSeconds(60));\n"
            + "                System.out.println(\"READ \" + q.read(\"u\", id - 1, 5).get(0).payload()[0]);\n"
            + "            }\n"
            + "        }\n"
            + "    }\n"
            + "}\n";

    /** tok-api, this module's classes and the runtime jars of Lettuce (Netty, Reactor, SLF4J API). */
    private static String runtimeModulePath() {
        List<String> keep = new ArrayList<>();
        String all = System.getProperty("jdk.module.path", "") + File.pathSeparator + System.getProperty("java.class.path", "");
        for (String entry : all.split(File.pathSeparator)) {
            String e = entry.replace('\\', '/');
            boolean ours = e.contains("tok-api") || (e.contains("tok-queue-redis") && e.endsWith("/classes"));
            boolean runtime = e.contains("/io/lettuce/") || e.contains("/io/netty/") || e.contains("/io/projectreactor/")
                    || e.contains("/org/reactivestreams/") || e.contains("/redis/clients/") || e.contains("/org/slf4j/slf4j-api/");
            if ((ours || runtime) && !keep.contains(entry)) {
                keep.add(entry);
            }
        }
        return String.join(File.pathSeparator, keep);
    }

    @Test
    @DisplayName("a named application module uses the queue on the module path without --add-modules")
    void namedModuleOnTheModulePath() throws Exception {
        String modulePath = runtimeModulePath();
        Path src = Files.createDirectories(tmp.resolve("src/demo"));
        Files.writeString(tmp.resolve("src/module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("Main.java"), MAIN);
        Path out = Files.createDirectories(tmp.resolve("demo-classes"));
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", out.toString(), "-p", modulePath, tmp.resolve("src/module-info.java").toString(),
                src.resolve("Main.java").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("javac.out").toFile()).start();
        assertThat(javac.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(javac.exitValue()).as("javac: %s", Files.readString(tmp.resolve("javac.out"))).isZero();

        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-p", modulePath + File.pathSeparator + out, "-m", "demo/demo.Main",
                TestRedis.shared().uri(), TestRedis.uniquePrefix())
                .redirectError(tmp.resolve("demo.err").toFile()).start();
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(java.getInputStream(), StandardCharsets.UTF_8))) {
            lines = r.lines().collect(Collectors.toList());
        }
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as("exit code; stdout %s; stderr: %s", lines, Files.readString(tmp.resolve("demo.err"))).isZero();
        assertThat(lines).contains("MODULE dev.tok.queue.redis automatic=false", "READ 7");
    }
}
