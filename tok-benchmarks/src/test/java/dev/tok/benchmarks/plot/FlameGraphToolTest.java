package dev.tok.benchmarks.plot;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records a real JFR file in this JVM (CPU samples every 10 ms while one thread burns CPU in a
 * known method for about a second), then reads and draws it.
 */
class FlameGraphToolTest {

    @TempDir
    Path dir;

    static volatile long sink;

    /** The known hot method: arithmetic that the JIT cannot remove (the result is published). */
    static long burnCpuForTheFlameGraph(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        sink = x;
        return x;
    }

    @Test
    void aRecordingOfABusyThreadShowsItsMethodOnTop() throws Exception {
        Path jfr = dir.resolve("burn.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            r.start();
            Thread t = new Thread(() -> burnCpuForTheFlameGraph(1_000_000_000L), "flame-burner");
            t.start();
            t.join();
            r.stop();
            r.dump(jfr);
        }

        Pattern threads = Pattern.compile("flame-.*");
        FlameGraphTool.Profile p = FlameGraphTool.read(jfr, threads);
        assertThat(p.samples()).as("samples of the burning thread").isGreaterThan(10);
        String hot = FlameGraphToolTest.class.getName() + ".burnCpuForTheFlameGraph";
        assertThat(p.topTotal(15)).extracting(Map.Entry::getKey).contains(hot);
        assertThat(p.topTotal(15).stream().filter(e -> e.getKey().equals(hot)).findFirst().orElseThrow().getValue())
                .as("percent of the filtered samples").isGreaterThan(90.0);
        assertThat(FlameGraphTool.read(jfr, Pattern.compile("no-such-thread")).samples()).isZero();

        Path png = dir.resolve("out/flame.png");
        FlameGraphTool.render(p, png, FlameGraphTool.title("burn", jfr, p, threads), 900, 0.3);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(900);
        assertThat(img.getHeight()).isGreaterThan(60);

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        FlameGraphTool.printTop(p, new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("top 15 self time", "top 15 total time", hot);
    }
}
