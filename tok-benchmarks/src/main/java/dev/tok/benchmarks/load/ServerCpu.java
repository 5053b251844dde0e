package dev.tok.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * CPU time of the server processes under test (every process of a {@link ServerGroup}: a single
 * server or each cluster node; not the Redis): user + system time ({@code utime} + {@code stime},
 * fields 14 and 15 of {@code /proc/<pid>/stat}, in clock ticks) read at the start and at the end
 * of a measured phase. Linux only; elsewhere, or when a read fails, the figures are NaN.
 */
final class ServerCpu {

    /** Clock ticks per second ({@code getconf CLK_TCK}, read once; 100 when that fails, Linux's usual value). */
    static final long TICKS_PER_SECOND = clockTicks();

    /**
     * CPU used during a measured phase.
     *
     * @param cpuMillis CPU time of all server processes in the phase (ms), NaN if unknown
     * @param seconds   wall time between the two reads
     */
    record Delta(double cpuMillis, double seconds) {
        static final Delta UNKNOWN = new Delta(Double.NaN, Double.NaN);

        /** @return CPU ms per wall second (a tenth of the percent of one core), NaN if unknown */
        double msPerSecond() {
            return cpuMillis / seconds;
        }

        /**
         * @param deliveredPerSecond messages delivered per second in the same phase
         * @return CPU µs per delivered message, NaN if unknown or nothing was delivered
         */
        double usPerMessage(double deliveredPerSecond) {
            return deliveredPerSecond <= 0 ? Double.NaN : cpuMillis * 1000 / (deliveredPerSecond * seconds);
        }
    }

    private final List<Long> pids;

    /** @param pids the server processes to add up */
    ServerCpu(List<Long> pids) {
        this.pids = List.copyOf(pids);
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                long t = Long.parseLong(s);
                if (t > 0) {
                    return t;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no getconf: the usual value below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    /**
     * @param pid a process id
     * @return its utime + stime in clock ticks, -1 when /proc cannot be read
     */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) state ...": comm may hold spaces and parentheses, so split after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15; f[0] is field 3 (state)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return the summed ticks of every process, -1 if one cannot be read */
    long ticks() {
        long sum = 0;
        for (long pid : pids) {
            long t = ticks(pid);
            if (t < 0) {
                return -1;
            }
            sum += t;
        }
        return sum;
    }

    /**
     * Reads the CPU time at {@code fromNanos} and at {@code toNanos} ({@link System#nanoTime()}) on
     * a daemon thread.
     *
     * @return the delta when both reads are done; {@link Delta#UNKNOWN} if /proc cannot be read
     */
    CompletableFuture<Delta> probe(long fromNanos, long toNanos) {
        CompletableFuture<Delta> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            sleepUntil(fromNanos);
            long t0 = System.nanoTime();
            long before = ticks();
            sleepUntil(toNanos);
            long t1 = System.nanoTime();
            long after = ticks();
            result.complete(before < 0 || after < 0 ? Delta.UNKNOWN
                    : new Delta((after - before) * 1000.0 / TICKS_PER_SECOND, (t1 - t0) / 1e9));
        }, "server-cpu");
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static void sleepUntil(long nanos) {
        long d;
        while ((d = nanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(d);
        }
    }
}
