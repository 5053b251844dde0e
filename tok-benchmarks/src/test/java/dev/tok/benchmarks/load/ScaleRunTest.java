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
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's scale runs in miniature against a real baseline server (a child JVM): {@code chat}
 * with two user counts at one fixed rate, each on a fresh server, with the servers' CPU per
 * message; {@code fanout} with two N; the plots drawn from what they wrote. Counts only.
 */
class ScaleRunTest {

    @TempDir
    Path out;

    private String run(String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        String[] all = new String[args.length + 6];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[] {"--out", out.toString(), "--server-jvm-args", "-Xmx128m", "--max-minutes", "2"}, 0, all,
                args.length, 6);
        LoadTool.run(new LoadOptions(all), new PrintStream(buf, true, StandardCharsets.UTF_8));
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void chatAndFanoutRunOncePerUserCountWithTheServersCpu() throws Exception {
        String text = run("--scenario", "chat,fanout", "--targets", "baseline:tcp", "--users", "20,40", "--rates", "300",
                "--warmup-seconds", "0.3", "--measure-seconds", "1", "--jit-warmup-seconds", "0", "--fanout-users", "10,30",
                "--rounds", "3", "--server-jfr", out.resolve("jfr").toString());
        assertThat(text).doesNotContain("FAILED").contains("chat scale summary", "largest/smallest across users", "fanout scale",
                "fanout scale: server CPU time per delivered message");

        List<Map<String, String>> chat = PlotTool.read(out.resolve("chat.csv"));
        assertThat(chat).extracting(r -> r.get("target") + "/" + r.get("phase") + "/" + r.get("users"))
                .containsExactly("baseline:tcp/scale/20", "baseline:tcp/scale/40");
        for (Map<String, String> r : chat) {
            assertThat(r.get("received")).isEqualTo(r.get("sent"));
            assertThat(r.get("errors")).isEqualTo("0");
            double msPerS = Double.parseDouble(r.get("server_cpu_ms_per_s"));
            double usPerMsg = Double.parseDouble(r.get("server_cpu_us_per_msg"));
            if (Files.isDirectory(Path.of("/proc/self"))) {
                assertThat(msPerS).isNotNaN().isGreaterThanOrEqualTo(0);
                assertThat(usPerMsg).isNotNaN().isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(PlotTool.read(out.resolve("chat-scale-summary.csv"))).extracting(r -> r.get("users")).containsExactly("20", "40");

        List<Map<String, String>> fanout = PlotTool.read(out.resolve("fanout.csv"));
        assertThat(fanout).extracting(r -> r.get("recipients")).containsExactly("10", "30");
        assertThat(fanout).allSatisfy(r -> {
            assertThat(r.get("missing")).isEqualTo("0");
            assertThat(Double.parseDouble(r.get("us_per_delivered_msg"))).isPositive();
            if (Files.isDirectory(Path.of("/proc/self"))) {
                assertThat(Double.parseDouble(r.get("server_cpu_us_per_delivered_msg"))).isNotNaN().isGreaterThanOrEqualTo(0);
            }
        });

        // --server-jfr: every server JVM left a recording named like its log
        try (var files = Files.list(out.resolve("jfr"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "chat-u20-baseline_tcp-run1.jfr", "chat-u40-baseline_tcp-run1.jfr", "fanout-n10-baseline_tcp-run1.jfr",
                    "fanout-n30-baseline_tcp-run1.jfr");
        }

        Path png = out.resolve("png");
        List<Path> written = PlotTool.plot(out, png, 400, 300);
        assertThat(written).extracting(p -> p.getFileName().toString()).contains("scale.png", "fanout-scale.png");
        assertThat(ImageIO.read(png.resolve("scale.png").toFile()).getHeight()).as("two panels").isEqualTo(600);
        assertThat(ImageIO.read(png.resolve("fanout-scale.png").toFile()).getWidth()).isEqualTo(400);
        assertThat(PlotTool.plot(out, out.resolve("png-scale-only"), 400, 300, List.of("scale")))
                .extracting(p -> p.getFileName().toString()).containsExactly("scale.png");
    }

    @Test
    void userListsAreCheckedAndTheJfrFlagNamesItsFile() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoadOptions(new String[] {"--users", "1000,0"}))
                .hasMessageContaining("--users");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoadOptions(new String[] {"--fanout-users", "1k"}))
                .hasMessageContaining("--fanout-users");
        LoadOptions o = new LoadOptions(new String[] {"--users", "1_000,18000"});
        assertThat(o.userCounts).containsExactly(1000, 18000);
        assertThat(o.chatScale()).isTrue();
        assertThat(new LoadOptions(new String[] {"--users", "500"}).chatScale()).isFalse();
        assertThat(ServerProcess.jfrFlag(Path.of("/tmp/j"), Path.of("logs/chat-hub_tcp-run2.log")))
                .isEqualTo("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=/tmp/j/chat-hub_tcp-run2.jfr");
    }

    @Test
    void serverCpuReadsThisProcessesTicks() {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return; // not Linux: the figures are NaN
        }
        assertThat(ServerCpu.TICKS_PER_SECOND).isPositive();
        assertThat(ServerCpu.ticks(ProcessHandle.current().pid())).isPositive();
        assertThat(ServerCpu.ticks(-5)).isEqualTo(-1);
        ServerCpu.Delta d = new ServerCpu.Delta(500, 2, 1.5, 40);
        assertThat(d.msPerSecond()).isEqualTo(250);
        assertThat(d.usPerMessage(1000)).isEqualTo(250); // 500 ms over 2000 messages
        ServerCpu.Machine now = ServerCpu.Machine.read();
        assertThat(now.total()).isPositive();
        assertThat(now.steal()).isBetween(0L, now.total());
    }

    @Test
    void machineStealAndIdleFromProcStat() {
        //                                                  user nice system idle iowait irq softirq steal guest guest_nice
        ServerCpu.Machine a = ServerCpu.Machine.parse("cpu  1000 0 500 3000 100 0 0 400 0 0");
        ServerCpu.Machine b = ServerCpu.Machine.parse("cpu  1100 0 550 3050 100 0 0 450 0 0");
        assertThat(a.total()).isEqualTo(5000);
        assertThat(a.stealPercent(b)).isEqualTo(20.0); // 50 of 250 ticks
        assertThat(a.idlePercent(b)).isEqualTo(20.0); // 50 of 250
        assertThat(b.stealPercent(a)).isNaN(); // no time passed forwards
        assertThat(ServerCpu.Machine.parse("intr 1 2 3")).isEqualTo(ServerCpu.Machine.UNKNOWN);
        assertThat(ServerCpu.Machine.UNKNOWN.stealPercent(b)).isNaN();
    }

    @Test
    void latencySeriesCutsEachStepIntoBuckets() throws Exception {
        run("--scenario", "chat", "--targets", "baseline:tcp", "--users", "20,40", "--rates", "300", "--warmup-seconds", "0.3",
                "--measure-seconds", "1", "--jit-warmup-seconds", "0", "--latency-series-ms", "250");
        List<Map<String, String>> chat = PlotTool.read(out.resolve("chat.csv"));
        List<Map<String, String>> series = PlotTool.read(out.resolve("chat-latency-series.csv"));
        for (String users : List.of("20", "40")) {
            List<Map<String, String>> step = series.stream().filter(r -> r.get("users").equals(users)).toList();
            assertThat(step).extracting(r -> r.get("bucket_start_ms")).containsExactly("0.000", "250.000", "500.000", "750.000");
            // every message due in the measured second (300 at 300/s) is in exactly one bucket
            assertThat(step.stream().mapToLong(r -> Long.parseLong(r.get("received"))).sum()).isBetween(299L, 301L);
            for (Map<String, String> r : step) {
                assertThat(Long.parseLong(r.get("slow_over_5ms"))).isBetween(0L, Long.parseLong(r.get("received")));
                assertThat(Double.parseDouble(r.get("max_ms"))).isGreaterThanOrEqualTo(0);
                if (Files.isDirectory(Path.of("/proc/self"))) {
                    assertThat(Double.parseDouble(r.get("machine_steal_pct"))).isBetween(0.0, 100.0);
                    assertThat(Double.parseDouble(r.get("machine_idle_pct"))).isBetween(0.0, 100.0);
                }
            }
        }
        assertThat(chat).allSatisfy(r -> {
            if (Files.isDirectory(Path.of("/proc/self"))) {
                assertThat(Double.parseDouble(r.get("machine_steal_pct"))).isBetween(0.0, 100.0);
            }
        });
    }
}
