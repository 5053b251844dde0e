package dev.tok.cluster.redis;

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
 * module that requires only {@code dev.tok.api} finds the {@code redis} cluster and uses it (start,
 * register, read the presence back, close). This proves that the module's {@code requires} of the
 * Netty modules and SLF4J make the automatic {@code lettuce.core} work (surefire's own run adds
 * every module and would hide a gap).
 */
class ModulePathTest {

    @TempDir
    Path tmp;

    private static final String MODULE_INFO = "module demo {\n"
            + "    requires dev.tok.api;\n"
            + "    uses dev.tok.api.spi.ClusterProvider;\n"
            + "}\n";

    private static final String MAIN = "package demo;\n"
            + "import dev.tok.api.spi.Cluster;\n"
            + "import dev.tok.api.spi.ClusterListener;\n"
            + "import dev.tok.api.spi.ClusterProvider;\n"
            + "import dev.tok.api.spi.ClusterSend;\n"
            + "import dev.tok.api.spi.RemoteWrite;\n"
            + "import dev.tok.api.spi.Settings;\n"
            + "import java.util.Map;\n"
            + "import java.util.Set;\n"
            + "import java.util.concurrent.CompletableFuture;\n"
            + "import java.util.concurrent.CompletionStage;\n"
            + "public class Main {\n"
            + "    public static void main(String[] args) throws Exception {\n"
            + "        ClusterListener listener = new ClusterListener() {\n"
            + "            public CompletionStage<Map<String, RemoteWrite.Status>> onSend(ClusterSend send) {\n"
            + "                return CompletableFuture.completedFuture(Map.of());\n"
            + "            }\n"
            + "            public CompletionStage<Integer> onKick(String uid) {\n"
            + "                return CompletableFuture.completedFuture(0);\n"
            + "            }\n"
            + "            public void onTakeover(String uid, Set<String> connectionIds, long epoch, String byNode) {\n"
            + "            }\n"
            + "        };\n"
            + "        for (ClusterProvider p : java.util.ServiceLoader.load(ClusterProvider.class)) {\n"
            + "            if (!p.name().equals(\"redis\")) continue;\n"
            + "            Module m = p.getClass().getModule();\n"
            + "            System.out.println(\"MODULE \" + m.getName() + \" automatic=\" + m.getDescriptor().isAutomatic());\n"
            + "            try (Cluster c = p.create(Settings.of(\"cluster 'redis'\", Map.of(\"uri\", args[0], \"key-prefix\", args[1],\n"
            + "                    \"node-id\", \"demo\")))) {\n"
            + "                c.start(listener).toCompletableFuture().get();\n"
            + "                c.register(\"u\", \"phone\", \"c1\").toCompletableFuture().get();\n"
            + "                System.out.println(\"ONLINE \" + c.connections(\"u\").toCompletableFuture().get().get(0).nodeId());\n"
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
            boolean ours = e.contains("tok-api") || (e.contains("tok-cluster-redis") && e.endsWith("/classes"));
            boolean runtime = e.contains("/io/lettuce/") || e.contains("/io/netty/") || e.contains("/io/projectreactor/")
                    || e.contains("/org/reactivestreams/") || e.contains("/redis/clients/") || e.contains("/org/slf4j/slf4j-api/");
            if ((ours || runtime) && !keep.contains(entry)) {
                keep.add(entry);
            }
        }
        return String.join(File.pathSeparator, keep);
    }

    @Test
    @DisplayName("a named application module uses the cluster on the module path without --add-modules")
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
                Nodes.standalone().uri(), "modulepath:")
                .redirectError(tmp.resolve("demo.err").toFile()).start();
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(java.getInputStream(), StandardCharsets.UTF_8))) {
            lines = r.lines().collect(Collectors.toList());
        }
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as("exit code; stdout %s; stderr: %s", lines, Files.readString(tmp.resolve("demo.err"))).isZero();
        assertThat(lines).contains("MODULE dev.tok.cluster.redis automatic=false", "ONLINE demo");
    }
}
