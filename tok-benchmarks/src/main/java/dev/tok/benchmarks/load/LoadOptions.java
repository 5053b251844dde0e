package dev.tok.benchmarks.load;

import dev.tok.benchmarks.util.Args;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The load tool's options; see {@link LoadTool} for their meaning and defaults. */
final class LoadOptions {
    static final String[] NAMES = {"scenario", "targets", "example-jar", "runs", "users", "rates", "rate-start", "rate-factor",
        "max-steps", "warmup-seconds", "measure-seconds", "payload-bytes", "half-rate", "fanout-users", "rounds", "connections",
        "messages", "client-threads", "server-jvm-args", "out", "max-minutes", "drain-timeout-seconds", "jit-warmup-seconds", "login-concurrency",
        "redis-uri", "server-jfr", "latency-series-ms"};

    final List<String> scenarios;
    final List<Target> targets = new ArrayList<>();
    final Path exampleJar;
    final int runs;
    /** chat: the first (with one value, the only) user count of {@code --users}. */
    final int users;
    /** chat: every user count of {@code --users}; more than one makes a scale run. */
    final List<Integer> userCounts = new ArrayList<>();
    final List<Double> rates = new ArrayList<>();
    final double rateStart;
    final double rateFactor;
    final int maxSteps;
    final double warmupSeconds;
    final double measureSeconds;
    final int payloadBytes;
    final double halfRate;
    /** fanout: the first (with one value, the only) recipient count of {@code --fanout-users}. */
    final int fanoutUsers;
    /** fanout: every recipient count of {@code --fanout-users}, each on a fresh server. */
    final List<Integer> fanoutUserCounts = new ArrayList<>();
    final int rounds;
    final List<Integer> connections = new ArrayList<>();
    final int messages;
    final int clientThreads;
    final List<String> serverJvmArgs;
    final Path out;
    final long deadlineNanos;
    final double drainTimeoutSeconds;
    final double jitWarmupSeconds;
    final int loginConcurrency;
    /** The Redis of the cluster targets; null: each cluster target starts its own redis-server. */
    final String redisUri;
    /** {@code --server-jfr}: each server JVM records JFR (settings=profile) into this directory; null: none. */
    final Path serverJfr;
    /** chat: {@code --latency-series-ms}, the bucket width of each step's latency series; 0: none. */
    final double latencySeriesMillis;

    LoadOptions(String[] argv) {
        Args a = new Args(argv, NAMES);
        scenarios = a.list("scenario", "chat");
        for (String s : scenarios) {
            if (!List.of("chat", "fanout", "capacity", "drain").contains(s)) {
                throw new IllegalArgumentException("unknown --scenario '" + s + "'; known: chat, fanout, capacity, drain");
            }
        }
        for (String t : a.list("targets", "baseline:tcp,hub:tcp")) {
            targets.add(Target.parse(t));
        }
        exampleJar = a.has("example-jar") ? Path.of(a.string("example-jar", null)).toAbsolutePath() : null;
        runs = positive(a, "runs", 1);
        userCounts.addAll(positiveList(a, "users", "1000"));
        users = userCounts.get(0);
        for (String r : a.list("rates", null)) {
            rates.add(Double.parseDouble(r));
        }
        rateStart = a.decimal("rate-start", 5000);
        rateFactor = a.decimal("rate-factor", 1.5);
        maxSteps = positive(a, "max-steps", 12);
        warmupSeconds = a.decimal("warmup-seconds", 2);
        measureSeconds = a.decimal("measure-seconds", 5);
        payloadBytes = positive(a, "payload-bytes", 100);
        halfRate = a.decimal("half-rate", 0);
        fanoutUserCounts.addAll(positiveList(a, "fanout-users", "1000"));
        fanoutUsers = fanoutUserCounts.get(0);
        rounds = positive(a, "rounds", 20);
        for (String c : a.list("connections", "1000,5000,10000")) {
            connections.add(Integer.parseInt(c.replace("_", "")));
        }
        messages = positive(a, "messages", 5000);
        clientThreads = positive(a, "client-threads", 1);
        String jvm = a.string("server-jvm-args", "-Xms1g -Xmx1g -XX:+UseG1GC");
        serverJvmArgs = jvm.isBlank() ? List.of() : Arrays.asList(jvm.trim().split("\\s+"));
        out = Path.of(a.string("out", "target/bench-results"));
        deadlineNanos = System.nanoTime() + (long) (a.decimal("max-minutes", 60) * 60e9);
        drainTimeoutSeconds = a.decimal("drain-timeout-seconds", 10);
        jitWarmupSeconds = a.decimal("jit-warmup-seconds", 5);
        loginConcurrency = positive(a, "login-concurrency", 128);
        redisUri = a.has("redis-uri") ? a.string("redis-uri", null) : null;
        serverJfr = a.has("server-jfr") ? Path.of(a.string("server-jfr", null)).toAbsolutePath() : null;
        latencySeriesMillis = a.decimal("latency-series-ms", 0);
        if (latencySeriesMillis < 0) {
            throw new IllegalArgumentException("--latency-series-ms must be 0 (no series) or a bucket width in ms");
        }
        for (Target t : targets) {
            if (t.nodes() > 0 && !scenarios.equals(List.of("chat"))) {
                throw new IllegalArgumentException("cluster targets (" + t + ") run the chat scenario only");
            }
        }
        if (rateFactor <= 1) {
            throw new IllegalArgumentException("--rate-factor must be above 1");
        }
    }

    private static int positive(Args a, String name, int def) {
        int v = a.integer(name, def);
        if (v <= 0) {
            throw new IllegalArgumentException("--" + name + " must be positive");
        }
        return v;
    }

    /** A comma-separated list of positive integers ({@code 1000,5000} or {@code 1_000}). */
    private static List<Integer> positiveList(Args a, String name, String def) {
        List<Integer> v = new ArrayList<>();
        for (String s : a.list(name, def)) {
            int n;
            try {
                n = Integer.parseInt(s.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " takes positive integers, comma-separated; was '" + s + "'");
            }
            if (n <= 0) {
                throw new IllegalArgumentException("--" + name + " must be positive");
            }
            v.add(n);
        }
        if (v.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " needs a value");
        }
        return v;
    }

    /** @return whether {@code --users} has more than one value: a scale run of {@code chat} */
    boolean chatScale() {
        return userCounts.size() > 1;
    }

    boolean outOfTime() {
        return System.nanoTime() > deadlineNanos;
    }
}
