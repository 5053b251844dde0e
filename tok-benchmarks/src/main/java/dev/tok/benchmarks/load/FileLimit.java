package dev.tok.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's limit of open files, which bounds the connections one load tool (and one server)
 * can hold: one file descriptor each. Java cannot call {@code setrlimit}, but on Linux the JVM
 * raises its soft limit to the hard limit itself at start-up ({@code -XX:+MaxFDLimit}, on by
 * default; the load tool also passes it to every server it starts), so the limit that counts is
 * the hard one ({@code ulimit -Hn}). Read from {@code /proc/self/limits}.
 */
final class FileLimit {

    /** Descriptors besides the connections: jars, the JVM, epoll, pipes, logs. */
    static final int HEADROOM = 512;

    private FileLimit() {
    }

    /** @return {soft, hard}; -1 for unlimited; null when unknown (not Linux) */
    static long[] read() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return new long[] {parse(f[0]), parse(f[1])};
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format
        }
        return null;
    }

    private static long parse(String s) {
        return s.equals("unlimited") ? -1 : Long.parseLong(s);
    }

    /** @return "soft/hard" as read, or "unknown" */
    static String describe() {
        long[] l = read();
        return l == null ? "unknown" : (l[0] < 0 ? "unlimited" : Long.toString(l[0])) + "/" + (l[1] < 0 ? "unlimited" : Long.toString(l[1]));
    }

    /**
     * Fails before a capacity run that cannot open {@code connections} connections from this
     * process (the server, a child JVM, gets the same limit).
     *
     * @param connections the most connections a step holds
     * @throws IllegalStateException naming the limit and the fix
     */
    static void requireRoomFor(int connections) {
        long[] l = read();
        if (l == null || l[0] < 0) {
            return;
        }
        if (connections + HEADROOM > l[0]) {
            throw new IllegalStateException("capacity: " + connections + " connections need about " + (connections + HEADROOM)
                    + " open files in this process and in the server's, but the limit is " + l[0] + " (hard " + (l[1] < 0 ? "unlimited" : l[1])
                    + "); the JVM raises its soft limit to the hard one itself, so raise the hard limit (ulimit -Hn, limits.conf, "
                    + "LimitNOFILE) or open fewer connections");
        }
    }
}
