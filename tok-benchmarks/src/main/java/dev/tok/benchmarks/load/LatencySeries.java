package dev.tok.benchmarks.load;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A measured {@code chat} step cut into buckets of equal width ({@code --latency-series-ms}) by the
 * messages' intended send time: per bucket the messages received, the largest latency, how many
 * took longer than {@link #SLOW_MICROS}, and the machine's steal and idle time over the bucket's
 * wall time ({@code /proc/stat}, read at every bucket boundary by a sampler thread). It shows
 * whether a step's tail comes from a few stalls or from the whole step, and whether a stall
 * coincides with the hypervisor taking the CPU. Recording is lock-free; reading is for after the step.
 */
final class LatencySeries {

    /** A message slower than this (5 ms, about twenty times a quiet p50 here) counts as slow. */
    static final long SLOW_MICROS = 5_000;

    final long bucketNanos;
    final int buckets;
    private final AtomicLongArray messages;
    private final AtomicLongArray maxMicros;
    private final AtomicLongArray slow;
    /** The machine's CPU time at each bucket boundary; index i is the start of bucket i. */
    private final AtomicReferenceArray<ServerCpu.Machine> machine;

    /**
     * @param bucketMillis   the width of a bucket
     * @param measureSeconds the measured phase it covers
     */
    LatencySeries(double bucketMillis, double measureSeconds) {
        if (bucketMillis <= 0) {
            throw new IllegalArgumentException("--latency-series-ms must be positive");
        }
        bucketNanos = (long) (bucketMillis * 1e6);
        buckets = (int) Math.max(1, Math.ceil(measureSeconds * 1e9 / bucketNanos));
        if (buckets > 100_000) {
            throw new IllegalArgumentException("--latency-series-ms " + bucketMillis + " cuts a " + measureSeconds
                    + "-s step into " + buckets + " buckets; at most 100,000: raise it");
        }
        messages = new AtomicLongArray(buckets);
        maxMicros = new AtomicLongArray(buckets);
        slow = new AtomicLongArray(buckets);
        machine = new AtomicReferenceArray<>(buckets + 1);
    }

    /**
     * Records one message; any thread.
     *
     * @param sinceMeasureNanos its intended send time after the start of the measured phase
     * @param micros            its latency
     */
    void record(long sinceMeasureNanos, long micros) {
        int b = (int) (sinceMeasureNanos / bucketNanos);
        if (b < 0 || b >= buckets) {
            return;
        }
        messages.incrementAndGet(b);
        maxMicros.accumulateAndGet(b, micros, Math::max);
        if (micros > SLOW_MICROS) {
            slow.incrementAndGet(b);
        }
    }

    /**
     * Reads {@code /proc/stat} at every bucket boundary from {@code measureFrom}
     * ({@link System#nanoTime()}) on a daemon thread, which ends after the last.
     */
    void sampleMachine(long measureFrom) {
        Thread t = new Thread(() -> {
            for (int i = 0; i <= buckets; i++) {
                ServerCpu.sleepUntil(measureFrom + i * bucketNanos);
                machine.set(i, ServerCpu.Machine.read());
            }
        }, "latency-series");
        t.setDaemon(true);
        t.start();
    }

    long messages(int bucket) {
        return messages.get(bucket);
    }

    /** @return the largest latency in the bucket (ms), NaN if it received nothing */
    double maxMillis(int bucket) {
        return messages.get(bucket) == 0 ? Double.NaN : maxMicros.get(bucket) / 1000.0;
    }

    long slow(int bucket) {
        return slow.get(bucket);
    }

    /** @return the machine's steal over the bucket's wall time (percent of all cores), NaN if not read */
    double stealPercent(int bucket) {
        ServerCpu.Machine a = machine.get(bucket);
        ServerCpu.Machine b = machine.get(bucket + 1);
        return a == null || b == null ? Double.NaN : a.stealPercent(b);
    }

    /** @return the machine's idle time over the bucket's wall time (percent of all cores), NaN if not read */
    double idlePercent(int bucket) {
        ServerCpu.Machine a = machine.get(bucket);
        ServerCpu.Machine b = machine.get(bucket + 1);
        return a == null || b == null ? Double.NaN : a.idlePercent(b);
    }
}
