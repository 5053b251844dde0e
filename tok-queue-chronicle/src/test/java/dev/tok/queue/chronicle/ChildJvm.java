package dev.tok.queue.chronicle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A second JVM running {@link QueueChild} on the test class path, with this JVM's module flags
 * (or without some of them). Its standard output is read line by line; standard error goes to a
 * file for diagnosis.
 */
final class ChildJvm implements AutoCloseable {

    final Process process;
    private final BufferedReader out;
    final List<String> lines = new ArrayList<>();

    private ChildJvm(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The JVM flags this test JVM got from surefire's argLine that concern module access. */
    static List<String> moduleFlags() {
        List<String> flags = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-unsafe")) {
                flags.add(a);
            }
        }
        return flags;
    }

    static ChildJvm start(Path stderr, List<String> jvmFlags, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(QueueChild.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(stderr.toFile());
        return new ChildJvm(pb.start());
    }

    static ChildJvm start(Path stderr, String... args) throws IOException {
        return start(stderr, moduleFlags(), args);
    }

    /**
     * Reads lines until one matches, the stream ends, or {@code maxLines} were read.
     *
     * @return the matching line, or {@code null}
     */
    String readUntil(Predicate<String> match, int maxLines) throws IOException {
        for (int i = 0; i < maxLines; i++) {
            String line = out.readLine();
            if (line == null) {
                return null;
            }
            lines.add(line);
            if (match.test(line)) {
                return line;
            }
        }
        return null;
    }

    /** Reads what is left (after the process died or closed its output). */
    void drain() throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            lines.add(line);
        }
    }

    /**
     * SIGKILL on Linux: no shutdown hooks, no close, no snapshot. Sent through the process
     * handle, which (unlike {@link Process#destroyForcibly()}) leaves our end of the output pipe
     * open, so the lines the child wrote before dying can still be read.
     */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child JVM did not die within 30 s of SIGKILL");
        }
    }

    int waitFor() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish within 60 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
