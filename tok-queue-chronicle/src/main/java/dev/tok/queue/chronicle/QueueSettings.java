package dev.tok.queue.chronicle;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The validated settings of one chronicle queue. Parsing touches no Chronicle class.
 *
 * @param directory          where the queue keeps its files
 * @param durability         when an enqueue counts as stored
 * @param maxTtl             expiries further away are clamped to now + maxTtl
 * @param rollCycle          how often a new cycle file starts (lowercase-dash name)
 * @param maxPerUser         most messages waiting for one user
 * @param maxTotalBytes      most bytes of waiting messages (payload, uid and record header)
 * @param maxDiskBytes       most bytes of records kept in cycle files
 * @param minFreeDisk        enqueue fails when the file system has less free space
 * @param sweepInterval      how often expired/acknowledged cycle files are looked for
 * @param snapshotEvery      records written after which the index is snapshotted
 */
record QueueSettings(
        Path directory,
        Durability durability,
        Duration maxTtl,
        String rollCycle,
        int maxPerUser,
        long maxTotalBytes,
        long maxDiskBytes,
        long minFreeDisk,
        Duration sweepInterval,
        int snapshotEvery) {

    static final String DIRECTORY = "directory";
    static final String DURABILITY = "durability";
    static final String MAX_TTL = "max-ttl";
    static final String ROLL_CYCLE = "roll-cycle";
    static final String MAX_MESSAGES_PER_USER = "max-messages-per-user";
    static final String MAX_TOTAL_BYTES = "max-total-bytes";
    static final String MAX_DISK_BYTES = "max-disk-bytes";
    static final String MIN_FREE_DISK = "min-free-disk";
    static final String SWEEP_INTERVAL = "sweep-interval";
    static final String SNAPSHOT_EVERY = "snapshot-every";

    static final Set<String> NAMES = Set.of(DIRECTORY, DURABILITY, MAX_TTL, ROLL_CYCLE, MAX_MESSAGES_PER_USER,
            MAX_TOTAL_BYTES, MAX_DISK_BYTES, MIN_FREE_DISK, SWEEP_INTERVAL, SNAPSHOT_EVERY);

    static final Duration DEFAULT_MAX_TTL = Duration.ofDays(7);
    static final String DEFAULT_ROLL_CYCLE = "fast-hourly";
    static final int DEFAULT_MAX_PER_USER = 10_000;
    static final long DEFAULT_MAX_TOTAL_BYTES = 1L << 30;
    static final long DEFAULT_MAX_DISK_BYTES = 4L << 30;
    static final long DEFAULT_MIN_FREE_DISK = 256L << 20;
    static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(10);
    static final int DEFAULT_SNAPSHOT_EVERY = 1_000_000;

    /**
     * Roll cycles users may choose, by setting value: the Chronicle constant's class and name, and
     * the cycle length. Weekly cycles are left out (their file names use week-based years).
     */
    static final Map<String, RollCycleChoice> ROLL_CYCLES = rollCycles();

    /** When an enqueue counts as stored. */
    enum Durability {
        /** In the shared page cache: survives the process being killed, not an OS crash. */
        PAGE_CACHE,
        /** msync'ed before enqueue returns (group commit): survives an OS crash or power loss. */
        SYNC
    }

    /**
     * A Chronicle roll cycle.
     *
     * @param enumClass    the Chronicle enum holding it
     * @param constant     the constant's name
     * @param length       how long one cycle lasts
     */
    record RollCycleChoice(String enumClass, String constant, Duration length) {
    }

    static QueueSettings from(Settings s) {
        Path directory = s.path(DIRECTORY).orElseThrow(() -> new ConfigurationException(
                "setting '" + DIRECTORY + "' for " + s.owner() + " is required: the directory the queue keeps its files in, "
                        + "for example " + DIRECTORY + "=/var/lib/tok/queue"));
        Durability durability = s.enumValue(DURABILITY, Durability.class, Durability.PAGE_CACHE);
        Duration maxTtl = s.duration(MAX_TTL, DEFAULT_MAX_TTL);
        if (maxTtl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw s.malformed(MAX_TTL, s.string(MAX_TTL, ""), "at least 1s");
        }
        if (maxTtl.compareTo(Duration.ofDays(3650)) > 0) {
            throw s.malformed(MAX_TTL, s.string(MAX_TTL, ""), "at most 3650d");
        }
        String rollCycle = s.string(ROLL_CYCLE, DEFAULT_ROLL_CYCLE).toLowerCase(java.util.Locale.ROOT);
        if (!ROLL_CYCLES.containsKey(rollCycle)) {
            throw s.malformed(ROLL_CYCLE, rollCycle, "one of " + ROLL_CYCLES.keySet());
        }
        int maxPerUser = s.integer(MAX_MESSAGES_PER_USER, DEFAULT_MAX_PER_USER);
        if (maxPerUser < 1) {
            throw s.malformed(MAX_MESSAGES_PER_USER, String.valueOf(maxPerUser), "a positive integer");
        }
        long maxTotalBytes = s.bytes(MAX_TOTAL_BYTES, DEFAULT_MAX_TOTAL_BYTES);
        if (maxTotalBytes < 1) {
            throw s.malformed(MAX_TOTAL_BYTES, s.string(MAX_TOTAL_BYTES, ""), "a positive size such as 1GiB");
        }
        long maxDiskBytes = s.bytes(MAX_DISK_BYTES, DEFAULT_MAX_DISK_BYTES);
        if (maxDiskBytes < 1) {
            throw s.malformed(MAX_DISK_BYTES, s.string(MAX_DISK_BYTES, ""), "a positive size such as 4GiB");
        }
        long minFreeDisk = s.bytes(MIN_FREE_DISK, DEFAULT_MIN_FREE_DISK);
        Duration sweep = s.duration(SWEEP_INTERVAL, DEFAULT_SWEEP_INTERVAL);
        if (sweep.compareTo(Duration.ofMillis(10)) < 0) {
            throw s.malformed(SWEEP_INTERVAL, s.string(SWEEP_INTERVAL, ""), "at least 10ms");
        }
        int snapshotEvery = s.integer(SNAPSHOT_EVERY, DEFAULT_SNAPSHOT_EVERY);
        if (snapshotEvery < 1) {
            throw s.malformed(SNAPSHOT_EVERY, String.valueOf(snapshotEvery), "a positive integer");
        }
        return new QueueSettings(directory, durability, maxTtl, rollCycle, maxPerUser, maxTotalBytes, maxDiskBytes,
                minFreeDisk, sweep,
                snapshotEvery);
    }

    RollCycleChoice rollCycleChoice() {
        return ROLL_CYCLES.get(rollCycle);
    }

    private static Map<String, RollCycleChoice> rollCycles() {
        String rc = "net.openhft.chronicle.queue.RollCycles";
        String legacy = "net.openhft.chronicle.queue.rollcycles.LegacyRollCycles";
        String test = "net.openhft.chronicle.queue.rollcycles.TestRollCycles";
        Map<String, RollCycleChoice> m = new LinkedHashMap<>();
        m.put("test-secondly", new RollCycleChoice(test, "TEST_SECONDLY", Duration.ofSeconds(1)));
        m.put("five-minutely", new RollCycleChoice(rc, "FIVE_MINUTELY", Duration.ofMinutes(5)));
        m.put("ten-minutely", new RollCycleChoice(rc, "TEN_MINUTELY", Duration.ofMinutes(10)));
        m.put("twenty-minutely", new RollCycleChoice(rc, "TWENTY_MINUTELY", Duration.ofMinutes(20)));
        m.put("half-hourly", new RollCycleChoice(rc, "HALF_HOURLY", Duration.ofMinutes(30)));
        m.put("hourly", new RollCycleChoice(legacy, "HOURLY", Duration.ofHours(1)));
        m.put("fast-hourly", new RollCycleChoice(rc, "FAST_HOURLY", Duration.ofHours(1)));
        m.put("two-hourly", new RollCycleChoice(rc, "TWO_HOURLY", Duration.ofHours(2)));
        m.put("four-hourly", new RollCycleChoice(rc, "FOUR_HOURLY", Duration.ofHours(4)));
        m.put("six-hourly", new RollCycleChoice(rc, "SIX_HOURLY", Duration.ofHours(6)));
        m.put("fast-daily", new RollCycleChoice(rc, "FAST_DAILY", Duration.ofDays(1)));
        return java.util.Collections.unmodifiableMap(m);
    }
}
