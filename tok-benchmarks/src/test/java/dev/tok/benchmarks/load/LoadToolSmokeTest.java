package dev.tok.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.benchmarks.plot.PlotTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every scenario of the load tool in miniature against real server processes (the
 * baseline and the hub-backed server as child JVMs on loopback) and checks what it counted and
 * wrote. Counts only: no timing assertions.
 */
class LoadToolSmokeTest {

    @TempDir
    Path out;

    private String run(String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        String[] all = new String[args.length + 6];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[] {"--out", out.toString(), "--server-jvm-args", "-Xmx256m", "--max-minutes", "3"}, 0, all,
                args.length, 6);
        LoadTool.run(new LoadOptions(all), new PrintStream(buf, true, StandardCharsets.UTF_8));
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyScenarioRunsAndWritesItsCsv() throws Exception {
        String text = run("--scenario", "chat,fanout,capacity,drain", "--targets", "baseline:tcp,hub:tcp", "--users", "20",
                "--rates", "200", "--warmup-seconds", "0.5", "--measure-seconds", "1", "--jit-warmup-seconds", "0",
                "--fanout-users", "20", "--rounds", "3", "--connections", "20,60", "--messages", "200");
        assertThat(text).doesNotContain("FAILED");

        List<Map<String, String>> chat = PlotTool.read(out.resolve("chat.csv"));
        assertThat(chat).extracting(r -> r.get("target") + "/" + r.get("phase"))
                .containsExactly("baseline:tcp/ramp", "hub:tcp/ramp", "baseline:tcp/half", "hub:tcp/half");
        for (Map<String, String> r : chat) {
            assertThat(Long.parseLong(r.get("sent"))).isPositive();
            assertThat(r.get("received")).isEqualTo(r.get("sent"));
            assertThat(r.get("errors")).isEqualTo("0");
        }

        List<Map<String, String>> fanout = PlotTool.read(out.resolve("fanout.csv"));
        assertThat(fanout).hasSize(2).allSatisfy(r -> assertThat(r.get("missing")).isEqualTo("0"));

        List<Map<String, String>> capacity = PlotTool.read(out.resolve("capacity.csv"));
        assertThat(capacity).hasSize(4).allSatisfy(r -> {
            assertThat(Long.parseLong(r.get("live_heap_bytes"))).isPositive();
            assertThat(Long.parseLong(r.get("rss_bytes"))).isPositive();
        });

        List<Map<String, String>> drain = PlotTool.read(out.resolve("drain.csv"));
        assertThat(drain).hasSize(2).allSatisfy(r -> {
            assertThat(r.get("queued")).isEqualTo("200");
            assertThat(r.get("received")).isEqualTo("200");
            assertThat(r.get("in_order")).isEqualTo("true");
        });

        Path png = out.resolve("png");
        List<Path> written = PlotTool.plot(out, png, 400, 300);
        assertThat(written).extracting(p -> p.getFileName().toString())
                .containsExactly("chat-p99.png", "chat-p50.png", "capacity-heap.png", "capacity-rss.png");
        for (Path p : written) {
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(p), 4);
            assertThat(head).containsExactly((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
    }

    @Test
    void webSocketBaselineCarriesAShortChatLoad() throws Exception {
        String text = run("--scenario", "chat,capacity", "--targets", "baseline:ws,baseline:tcp", "--users", "20", "--rates", "200",
                "--warmup-seconds", "0.5", "--measure-seconds", "1", "--jit-warmup-seconds", "0", "--connections", "20,60");
        assertThat(text).doesNotContain("FAILED").contains("open files limit");

        List<Map<String, String>> chat = PlotTool.read(out.resolve("chat.csv"));
        assertThat(chat).extracting(r -> r.get("target") + "/" + r.get("phase"))
                .containsExactly("baseline:ws/ramp", "baseline:tcp/ramp", "baseline:ws/half", "baseline:tcp/half");
        for (Map<String, String> r : chat) {
            assertThat(Long.parseLong(r.get("sent"))).isPositive();
            assertThat(r.get("received")).isEqualTo(r.get("sent"));
            assertThat(r.get("errors")).isEqualTo("0");
        }
        List<Map<String, String>> capacity = PlotTool.read(out.resolve("capacity.csv"));
        assertThat(capacity).filteredOn(r -> r.get("target").equals("baseline:ws")).hasSize(2)
                .allSatisfy(r -> assertThat(Long.parseLong(r.get("live_heap_bytes"))).isPositive());
    }

    @Test
    void eachTargetIsComparedWithTheBaselineOfItsKind() {
        List<Target> targets = List.of(Target.parse("baseline:tcp"), Target.parse("example:netty-ws"), Target.parse("baseline:ws"),
                Target.parse("example:tcp"));
        assertThat(LoadTool.baselineFor(Target.parse("example:netty-ws"), targets)).isEqualTo(Target.parse("baseline:ws"));
        assertThat(LoadTool.baselineFor(Target.parse("example:jetty-ws"), targets)).isEqualTo(Target.parse("baseline:ws"));
        assertThat(LoadTool.baselineFor(Target.parse("example:tcp"), targets)).isEqualTo(Target.parse("baseline:tcp"));
        assertThat(LoadTool.baselineFor(Target.parse("example:netty-ws"), targets.subList(0, 2)))
                .as("without a WebSocket baseline, the tcp one").isEqualTo(Target.parse("baseline:tcp"));
        assertThat(LoadTool.baselineFor(Target.parse("example:tcp"), List.of(Target.parse("example:tcp")))).isNull();
    }

    @Test
    void badOptionsAreRejectedWithTheirName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoadOptions(new String[] {"--scenario", "soak"}))
                .hasMessageContaining("soak");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoadOptions(new String[] {"--userz", "5"}))
                .hasMessageContaining("--userz");
    }
}
