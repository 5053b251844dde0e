package dev.tok.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a server process's memory: live heap (jcmd GC.class_histogram, which runs a full GC first) and VmRSS. */
final class ServerProbe {

    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)", Pattern.MULTILINE);
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB", Pattern.MULTILINE);

    /** One sample. */
    record Sample(long liveHeapBytes, long rssBytes, Map<String, Long> bytesByClass) {
    }

    private ServerProbe() {
    }

    static Sample sample(long pid, Path histogramFile) throws IOException, InterruptedException {
        String histo = run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid),
                "GC.class_histogram"));
        if (histogramFile != null) {
            Files.createDirectories(histogramFile.toAbsolutePath().getParent());
            Files.writeString(histogramFile, histo);
        }
        Matcher t = TOTAL.matcher(histo);
        if (!t.find()) {
            throw new IOException("no Total line in jcmd GC.class_histogram output: " + histo.substring(0, Math.min(300, histo.length())));
        }
        Map<String, Long> byClass = new HashMap<>();
        Matcher r = ROW.matcher(histo);
        while (r.find()) {
            byClass.merge(r.group(3), Long.parseLong(r.group(2)), Long::sum);
        }
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        Matcher m = RSS.matcher(status);
        long rss = m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        return new Sample(Long.parseLong(t.group(2)), rss, byClass);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd + " timed out");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
