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
 * of a measured phase; and, from the same two reads of {@code /proc/stat}, how much of the
 * machine's CPU time was stolen by the hypervisor ({@code steal}) and left idle. Linux only;
 * elsewhere, or when a read fails, the figures are NaN.
 */
final class ServerCpu {

    /** Clock ticks per second ({@code getconf CLK_TCK}, read once; 100 when that fails, Linux's usual value). */
    static final long TICKS_PER_SECOND = clockTicks();

    /**
     * CPU used during a measured phase.
     *
     * @param cpuMillis    CPU time of all server processes in the phase (ms), NaN if unknown
     * @param seconds      wall time between the two reads
     * @param stealPercent of the machine's CPU time in the phase (all cores), the part the
     *                     hypervisor gave to other guests ({@code steal} of {@code /proc/stat}), NaN if unknown
     * @param idlePercent  of the machine's CPU time in the phase, the part left idle, NaN if unknown
     */
    record Delta(double cpuMillis, double seconds, double stealPercent, double idlePercent) {
        static final Delta UNKNOWN = new Delta(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

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

    /**
     * The machine's CPU time so far, all cores: the first line of {@code /proc/stat}.
     *
     * @param total  every field from user to steal, in clock ticks
     * @param idle   idle + iowait
     * @param steal  given by the hypervisor to other guests
     */
    record Machine(long total, long idle, long steal) {
        static final Machine UNKNOWN = new Machine(-1, -1, -1);

        /** @return the machine's CPU time now, or {@link #UNKNOWN} if /proc/stat cannot be read */
        static Machine read() {
            try (var lines = Files.lines(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
                return parse(lines.findFirst().orElse(""));
            } catch (IOException | RuntimeException e) {
                return UNKNOWN;
            }
        }

        /** @param cpuLine {@code cpu  user nice system idle iowait irq softirq steal ...} */
        static Machine parse(String cpuLine) {
            String[] f = cpuLine.trim().split("\\s+");
            if (f.length < 9 || !f[0].equals("cpu")) {
                return UNKNOWN;
            }
            long total = 0;
            for (int i = 1; i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            return new Machine(total, Long.parseLong(f[4]) + Long.parseLong(f[5]), Long.parseLong(f[8]));
        }

        /** @return the percent of {@code later - this} that was stolen; NaN if either is unknown or no time passed */
        double stealPercent(Machine later) {
            return known(later) ? 100.0 * (later.steal - steal) / (later.total - total) : Double.NaN;
        }

        /** @return the percent of {@code later - this} that was idle; NaN if either is unknown or no time passed */
        double idlePercent(Machine later) {
            return known(later) ? 100.0 * (later.idle - idle) / (later.total - total) : Double.NaN;
        }

        private boolean known(Machine later) {
            return total >= 0 && later.total > total;
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
            Machine m0 = Machine.read();
            sleepUntil(toNanos);
            long t1 = System.nanoTime();
            long after = ticks();
            Machine m1 = Machine.read();
            result.complete(new Delta(before < 0 || after < 0 ? Double.NaN : (after - before) * 1000.0 / TICKS_PER_SECOND,
                    (t1 - t0) / 1e9, m0.stealPercent(m1), m0.idlePercent(m1)));
        }, "server-cpu");
        t.setDaemon(true);
        t.start();
        return result;
    }

    static void sleepUntil(long nanos) {
        long d;
        while ((d = nanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(d);
        }
    }
}
