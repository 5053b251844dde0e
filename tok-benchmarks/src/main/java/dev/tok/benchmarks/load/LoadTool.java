package dev.tok.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drives chat servers over loopback sockets with the example protocol and reports throughput,
 * latency and memory. Each target server is started as a child JVM on ephemeral ports (so the
 * tool can read its memory), driven, and stopped; targets run one after the other in the same
 * run, so their figures are comparable.
 *
 * <pre>
 * java -cp tok-benchmarks/target/tok-benchmarks.jar dev.tok.benchmarks.load.LoadTool \
 *     --scenario chat --targets baseline:tcp,hub:tcp,example:tcp --example-jar tok-example/target/tok-example.jar
 * </pre>
 *
 * Options (defaults in brackets):
 * <ul>
 * <li>{@code --scenario} chat|fanout|capacity|drain, comma-separated [chat]
 * <li>{@code --targets} server:transport[:queue], comma-separated; servers baseline, hub,
 *     hub-pool, hub-direct, hub-fj, example; transports tcp, jetty-ws, netty-ws; queues memory, chronicle
 *     [baseline:tcp,hub:tcp]. Cluster targets (chat only): {@code cluster1:tcp}, {@code cluster2:tcp}
 *     ({@code clusterN:tcp[:redis|memory]}): a redis-server and N hub nodes ({@code HubChatServer
 *     --cluster redis}, the hub's defaults, queue redis unless {@code :memory}) on it, user i on
 *     node i % N; with 2 nodes every message goes to a user on the other node. Each step also
 *     reports the Redis commands per delivered message ({@code INFO commandstats} summed over the
 *     measured phase; CSV columns {@code redis_cmds_per_msg}, {@code redis_cmds_per_msg_by_command})
 * <li>{@code --redis-uri} the Redis of the cluster targets (redis://host:port, not TLS) [a fresh
 *     redis-server per target and run, ephemeral port, no persistence]
 * <li>{@code --example-jar} the example server's jar, for example targets
 * <li>{@code --runs} repetitions; summaries are medians [1]
 * <li>chat: {@code --users} [1000]; a list ({@code 1000,5000,10000,18000}) makes a scale run: every
 *     (run, target, user count) on a fresh server, the steps of {@code --rates} once each (phase
 *     {@code scale}; without {@code --rates} the ramp), no half-rate step, and a summary per
 *     target ({@code chat-scale-summary.csv}) with the largest/smallest CPU µs per message and p99
 *     across user counts. Every step reports the servers' CPU ({@code server_cpu_ms_per_s},
 *     {@code server_cpu_us_per_msg}: utime + stime of every server process from /proc over the
 *     measured phase; NaN without /proc). {@code --rates} explicit list, else {@code --rate-start}
 *     [5000] times {@code --rate-factor} [1.5] for at most {@code --max-steps} [12] until a step
 *     saturates; {@code --warmup-seconds} [2], {@code --measure-seconds} [5],
 *     {@code --drain-timeout-seconds} [10], {@code --half-rate} [half the baseline's saturated
 *     throughput of the same run], {@code --payload-bytes} [100], {@code --jit-warmup-seconds}
 *     unmeasured chat at the first rate on every fresh server [5]
 * <li>fanout: {@code --fanout-users} [1000] (a list: each N on a fresh server), {@code --rounds} [20];
 *     reports the time per delivered message (median round time / N) and the server's CPU time
 *     per delivered message over the measured rounds (utime + stime from /proc)
 * <li>capacity: {@code --connections} steps [1000,5000,10000]
 * <li>drain: {@code --messages} [5000]
 * <li>{@code --client-threads} client event loops [1]; {@code --server-jvm-args} ["-Xms1g
 *     -Xmx1g -XX:+UseG1GC"]; {@code --out} CSV directory [target/bench-results];
 *     {@code --max-minutes} overall time bound [60]; {@code --login-concurrency} logins in flight
 *     (each retried up to twice if the server drops it) [128]; {@code --server-jfr DIR} each server
 *     JVM records JFR ({@code settings=profile}) into {@code DIR/<log name>.jfr}, written when it stops
 * <li>chat: every step also reports the machine's steal ({@code machine_steal_pct}: CPU time the
 *     hypervisor gave to other guests, percent of all cores over the measured phase, from
 *     {@code /proc/stat}; console column {@code steal %}) and idle time ({@code machine_idle_pct});
 *     {@code --latency-series-ms W} [0: off] cuts each measured step into buckets of W ms by the
 *     messages' intended send time and writes {@code chat-latency-series.csv}: per bucket the
 *     messages, the largest latency, how many took over 5 ms, and the machine's steal and idle
 *     time over the bucket (a stall shows as a run of slow buckets; the steal column tells whether
 *     the hypervisor had the CPU then)
 * </ul>
 */
public final class LoadTool {

    private final LoadOptions o;
    private final PrintStream out;
    /** chat-latency-series.csv, or null without {@code --latency-series-ms} */
    private final Csv series;

    private LoadTool(LoadOptions o, PrintStream out) {
        this.o = o;
        this.out = out;
        this.series = o.latencySeriesMillis <= 0 ? null : new Csv(o.out.resolve("chat-latency-series.csv"), "run", "target", "phase",
                "users", "offered_per_s", "step_p99_ms", "bucket_start_ms", "received", "max_ms", "slow_over_5ms", "machine_steal_pct",
                "machine_idle_pct");
    }

    /**
     * Runs the requested scenarios.
     *
     * @param argv see the class comment
     */
    public static void main(String[] argv) throws Exception {
        LoadOptions o;
        try {
            o = new LoadOptions(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("load tool: " + e.getMessage());
            System.exit(2);
            return;
        }
        run(o, System.out);
        System.exit(0);
    }

    static void run(LoadOptions o, PrintStream out) throws Exception {
        Files.createDirectories(o.out);
        LoadTool t = new LoadTool(o, out);
        out.printf(Locale.ROOT, "# tok load tool: %d cores, load average %s, %s %s, open files limit %s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), FileLimit.describe());
        for (String s : o.scenarios) {
            switch (s) {
                case "chat" -> t.chat();
                case "fanout" -> t.fanout();
                case "capacity" -> t.capacity();
                case "drain" -> t.drain();
                default -> throw new IllegalStateException(s);
            }
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+", 4)[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private Path log(Target t, String scenario, int run) {
        return o.out.resolve("logs").resolve(scenario + "-" + t.toString().replace(':', '_') + "-run" + run + ".log");
    }

    private static String[] tokens(String prefix, int n) {
        String[] a = new String[n];
        for (int i = 0; i < n; i++) {
            a[i] = prefix + i;
        }
        return a;
    }

    // ------------------------------------------------------------------------------ chat

    private void chat() throws Exception {
        Csv csv = new Csv(o.out.resolve("chat.csv"), "run", "target", "phase", "offered_per_s", "delivered_per_s", "sent",
                "received", "errors", "missing", "p50_ms", "p99_ms", "p999_ms", "max_ms", "saturated", "load_avg",
                "received_cross_node", "redis_cmds_per_msg", "redis_cmds_per_msg_by_command", "server_cpu_ms_per_s",
                "server_cpu_us_per_msg", "users", "machine_steal_pct", "machine_idle_pct");
        if (o.chatScale()) {
            chatScale(csv);
            return;
        }
        Map<Target, List<Double>> sat = new LinkedHashMap<>();
        Map<Target, List<Double>> halfP99 = new LinkedHashMap<>();
        Map<Target, List<Double>> halfP50 = new LinkedHashMap<>();
        Map<Target, List<Double>> halfRates = new LinkedHashMap<>();
        Map<Target, List<Double>> ratios = new LinkedHashMap<>();
        for (int run = 1; run <= o.runs; run++) {
            out.printf(Locale.ROOT, "%n## chat, run %d: %d users, %d-byte frames, steps of %.0f s + %.0f s warm-up%n", run, o.users,
                    o.payloadBytes, o.measureSeconds, o.warmupSeconds);
            printChatHeader();
            Map<Target, Double> satThisRun = new LinkedHashMap<>();
            for (Target t : o.targets) {
                if (o.outOfTime()) {
                    break;
                }
                int r = run;
                List<ChatScenario.Step> steps = withChat(t, "chat", run, o.users, chat -> chat.ramp(o, s -> row(csv, r, t, "ramp", o.users, s),
                        s -> row(csv, r, t, "retried", o.users, s)));
                double best = steps == null ? Double.NaN : ChatScenario.saturatedThroughput(steps);
                satThisRun.put(t, best);
                sat.computeIfAbsent(t, k -> new ArrayList<>()).add(best);
                out.printf(Locale.ROOT, "%-22s saturated throughput %.0f msg/s%n", t, best);
            }
            for (Map.Entry<Target, Double> e : satThisRun.entrySet()) {
                Target base = baselineFor(e.getKey(), o.targets);
                Double ref = base == null ? null : satThisRun.get(base);
                if (ref != null && !ref.isNaN()) {
                    ratios.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue() / ref);
                }
            }
            for (Target t : o.targets) {
                if (o.outOfTime() || !satThisRun.containsKey(t) || satThisRun.get(t).isNaN()) {
                    continue;
                }
                Target base = baselineFor(t, o.targets);
                Double ref = base == null ? null : satThisRun.get(base);
                if (ref != null && ref.isNaN()) {
                    ref = null;
                }
                double rate = o.halfRate > 0 ? o.halfRate : Math.rint(0.5 * (ref != null ? ref : satThisRun.get(t)));
                int r = run;
                ChatScenario.Step s = withChat(t, "chat-half", run, o.users,
                        chat -> chat.run(rate, o.warmupSeconds, o.measureSeconds, o.drainTimeoutSeconds));
                if (s != null) {
                    row(csv, r, t, "half", o.users, s);
                    halfP99.computeIfAbsent(t, k -> new ArrayList<>()).add(s.p(99));
                    halfP50.computeIfAbsent(t, k -> new ArrayList<>()).add(s.p(50));
                    halfRates.computeIfAbsent(t, k -> new ArrayList<>()).add(rate);
                }
            }
        }
        Csv summary = new Csv(o.out.resolve("chat-summary.csv"), "target", "runs", "saturated_median_per_s", "saturated_min",
                "saturated_max", "ratio_to_baseline", "median_of_run_ratios", "half_rate_per_s", "half_p50_ms", "half_p99_median_ms",
                "half_p99_ratio_to_baseline");
        out.printf(Locale.ROOT, "%n## chat summary (medians of %d run(s))%n", o.runs);
        out.printf(Locale.ROOT, "%-22s %14s %10s %10s %12s %11s %11s %10s%n", "target", "saturated/s", "vs base", "run ratios",
                "half rate/s", "half p50", "half p99", "p99 vs base");
        for (Target t : o.targets) {
            Target base = baselineFor(t, o.targets);
            double baseSat = base == null ? Double.NaN : median(sat.get(base));
            double baseP99 = base == null ? Double.NaN : median(halfP99.get(base));
            double s = median(sat.get(t));
            double p = median(halfP99.get(t));
            double runRatio = median(ratios.get(t));
            summary.row(t, o.runs, s, min(sat.get(t)), max(sat.get(t)), s / baseSat, runRatio, median(halfRates.get(t)),
                    median(halfP50.get(t)), p, p / baseP99);
            out.printf(Locale.ROOT, "%-22s %14.0f %9.1f%% %9.1f%% %12.0f %9.2fms %9.2fms %9.2fx%n", t, s, 100 * s / baseSat,
                    100 * runRatio, median(halfRates.get(t)), median(halfP50.get(t)), p, p / baseP99);
        }
    }

    /**
     * {@code chat} with several {@code --users}: every (run, target, user count) on a fresh server,
     * the steps of {@code --rates} (each once, phase {@code scale}; without {@code --rates} the
     * ramp), then a summary per target and user count of the medians over runs and how far the
     * CPU per message and the p99 spread across user counts (largest / smallest; issue 17 asks ≤ 1.2).
     */
    private void chatScale(Csv csv) throws Exception {
        FileLimit.requireRoomFor(o.userCounts.stream().mapToInt(Integer::intValue).max().orElse(0));
        // target -> users -> the kept step of each run
        Map<Target, Map<Integer, List<ChatScenario.Step>>> kept = new LinkedHashMap<>();
        for (int run = 1; run <= o.runs; run++) {
            out.printf(Locale.ROOT, "%n## chat scale, run %d: users %s, rates %s, %d-byte frames, steps of %.0f s + %.0f s warm-up%n",
                    run, o.userCounts, o.rates.isEmpty() ? "ramp" : o.rates, o.payloadBytes, o.measureSeconds, o.warmupSeconds);
            printChatHeader();
            for (Target t : o.targets) {
                for (int users : o.userCounts) {
                    if (o.outOfTime()) {
                        break;
                    }
                    int r = run;
                    List<ChatScenario.Step> steps = withChat(t, "chat-u" + users, run, users, chat -> {
                        if (o.rates.isEmpty()) {
                            return chat.ramp(o, s -> row(csv, r, t, "scale", users, s), s -> row(csv, r, t, "retried", users, s));
                        }
                        List<ChatScenario.Step> done = new ArrayList<>();
                        for (double rate : o.rates) {
                            if (o.outOfTime()) {
                                break;
                            }
                            ChatScenario.Step s = chat.run(rate, o.warmupSeconds, o.measureSeconds, o.drainTimeoutSeconds);
                            row(csv, r, t, "scale", users, s);
                            done.add(s);
                        }
                        return done;
                    });
                    if (steps != null && !steps.isEmpty()) {
                        kept.computeIfAbsent(t, k -> new LinkedHashMap<>()).computeIfAbsent(users, k -> new ArrayList<>())
                                .add(scaleStep(steps));
                    }
                }
            }
        }
        Csv summary = new Csv(o.out.resolve("chat-scale-summary.csv"), "target", "users", "runs", "offered_per_s",
                "delivered_median_per_s", "p50_median_ms", "p99_median_ms", "server_cpu_us_per_msg_median", "cpu_ratio_max_min",
                "p99_ratio_max_min");
        out.printf(Locale.ROOT, "%n## chat scale summary (medians of %d run(s); per user count the highest unsaturated step)%n", o.runs);
        for (Map.Entry<Target, Map<Integer, List<ChatScenario.Step>>> e : kept.entrySet()) {
            List<double[]> lines = new ArrayList<>(); // users, offered, delivered, p50, p99, cpu
            for (Map.Entry<Integer, List<ChatScenario.Step>> u : e.getValue().entrySet()) {
                List<ChatScenario.Step> st = u.getValue();
                lines.add(new double[] {u.getKey(), median(st, ChatScenario.Step::offered), median(st, ChatScenario.Step::delivered),
                    median(st, s -> s.p(50)), median(st, s -> s.p(99)), median(st, ChatScenario.Step::cpuUsPerMessage)});
            }
            double cpuRatio = spread(lines, 5);
            double p99Ratio = spread(lines, 4);
            out.printf(Locale.ROOT, "%s%n%8s %10s %10s %9s %9s %11s%n", e.getKey(), "users", "offered/s", "deliv/s", "p50 ms", "p99 ms",
                    "cpu us/msg");
            for (double[] l : lines) {
                summary.row(e.getKey(), (int) l[0], e.getValue().get((int) l[0]).size(), l[1], l[2], l[3], l[4], l[5], cpuRatio, p99Ratio);
                out.printf(Locale.ROOT, "%8d %10.0f %10.0f %9.2f %9.2f %11.2f%n", (int) l[0], l[1], l[2], l[3], l[4], l[5]);
            }
            out.printf(Locale.ROOT, "  largest/smallest across users: cpu us/msg %.2fx, p99 %.2fx (flat within 20 %%: <= 1.20x) %s%n",
                    cpuRatio, p99Ratio, cpuRatio <= 1.2 && p99Ratio <= 1.2 ? "FLAT" : "NOT FLAT");
        }
    }

    /** @return the highest-rate unsaturated step; if all saturated, the one that delivered most */
    private static ChatScenario.Step scaleStep(List<ChatScenario.Step> steps) {
        ChatScenario.Step best = null;
        for (ChatScenario.Step s : steps) {
            if (!s.saturated() && (best == null || best.saturated() || s.offered() > best.offered())) {
                best = s;
            } else if (s.saturated() && (best == null || best.saturated() && s.delivered() > best.delivered())) {
                best = s;
            }
        }
        return best;
    }

    private static double median(List<ChatScenario.Step> steps, java.util.function.ToDoubleFunction<ChatScenario.Step> f) {
        List<Double> v = new ArrayList<>();
        steps.forEach(s -> v.add(f.applyAsDouble(s)));
        return median(v);
    }

    /**
     * @return the largest over the smallest value of a column across rows (NaNs left out); NaN
     *         with fewer than two values
     */
    static double spread(List<double[]> rows, int column) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (double[] r : rows) {
            if (!Double.isNaN(r[column])) {
                lo = Math.min(lo, r[column]);
                hi = Math.max(hi, r[column]);
                n++;
            }
        }
        return n < 2 ? Double.NaN : hi / lo;
    }

    /**
     * The baseline a target is compared with: the WebSocket baseline ({@code baseline:ws}) for a
     * WebSocket target when it runs, else the TCP baseline, else the first baseline.
     *
     * @param t       a target
     * @param targets every target of the run
     * @return its baseline, null when no baseline runs
     */
    static Target baselineFor(Target t, List<Target> targets) {
        String wanted = t.transport().equals("tcp") ? "tcp" : "ws";
        Target first = null;
        for (Target x : targets) {
            if (x.server().equals("baseline")) {
                if (x.transport().equals(wanted)) {
                    return x;
                }
                if (first == null || x.transport().equals("tcp") && !first.transport().equals("tcp")) {
                    first = x;
                }
            }
        }
        return first;
    }

    private interface ChatBody<T> {
        T apply(ChatScenario chat) throws Exception;
    }

    private <T> T withChat(Target t, String scenario, int run, int users, ChatBody<T> body) throws Exception {
        try (ServerGroup sp = ServerGroup.start(t, o, log(t, scenario, run));
                Client client = new Client(t.transport(), sp.addresses(t.transport()), o.clientThreads)) {
            Users.Dispatch d = new Users.Dispatch();
            String[] uids = tokens("u", users);
            Client.Conn[] conns = Users.connect(client, uids, d, o.loginConcurrency, 120);
            try {
                ChatScenario chat = new ChatScenario(client, conns, uids, d, o.payloadBytes, sp.nodes(), sp.redis(),
                        new ServerCpu(sp.pids()), o.latencySeriesMillis);
                if (o.jitWarmupSeconds > 0) {
                    // a fresh JVM: let the JIT compile the hot paths (and the servers size their pools) first
                    chat.run(Math.min(o.rateStart, o.rates.isEmpty() ? o.rateStart : o.rates.get(0)), o.jitWarmupSeconds, 0.001,
                            o.drainTimeoutSeconds);
                }
                return body.apply(chat);
            } finally {
                Users.closeAll(conns);
            }
        } catch (IOException | IllegalStateException e) {
            out.println(t + ": FAILED: " + e.getMessage());
            return null;
        }
    }

    private void printChatHeader() {
        out.printf(Locale.ROOT, "%-22s %-6s %10s %10s %9s %9s %9s %9s %7s %9s %10s %7s %s%n", "target", "phase", "offered/s", "deliv/s",
                "p50 ms", "p99 ms", "p99.9 ms", "max ms", "missing", "cpu ms/s", "cpu us/msg", "steal %", "");
    }

    private void row(Csv csv, int run, Target t, String phase, int users, ChatScenario.Step s) {
        double max = s.latency().getTotalCount() == 0 ? Double.NaN : s.latency().getMaxValue() / 1000.0;
        csv.row(run, t, phase, s.offered(), s.delivered(), s.sent(), s.received(), s.errors(), s.missing(), s.p(50), s.p(99),
                s.p(99.9), max, s.saturated(), loadAverage(), s.crossNode(), s.redisPerMessage(),
                s.redis() == null ? "" : s.redis().perMessage(s.delivered()), s.cpuMsPerSecond(), s.cpuUsPerMessage(), users,
                s.cpu().stealPercent(), s.cpu().idlePercent());
        out.printf(Locale.ROOT, "%-22s %-6s %10.0f %10.0f %9.2f %9.2f %9.2f %9.2f %7d %9.0f %10.2f %7.1f %s%n", t, phase, s.offered(),
                s.delivered(), s.p(50), s.p(99), s.p(99.9), max, s.missing(), s.cpuMsPerSecond(), s.cpuUsPerMessage(),
                s.cpu().stealPercent(), s.saturated() ? "SATURATED" : "");
        LatencySeries ls = s.series();
        if (series != null && ls != null) {
            for (int b = 0; b < ls.buckets; b++) {
                series.row(run, t, phase, users, s.offered(), s.p(99), b * ls.bucketNanos / 1e6, ls.messages(b), ls.maxMillis(b),
                        ls.slow(b), ls.stealPercent(b), ls.idlePercent(b));
            }
        }
        if (s.redis() != null) {
            out.printf(Locale.ROOT, "%-22s        %d of %d received across nodes; Redis: %d commands in %.1f s, %.3f per delivered message (%s)%n",
                    "", s.crossNode(), s.received(), s.redis().total(), s.redis().seconds(), s.redisPerMessage(),
                    s.redis().perMessage(s.delivered()));
        }
    }

    // ------------------------------------------------------------------------------ fanout

    private void fanout() throws Exception {
        Csv csv = new Csv(o.out.resolve("fanout.csv"), "run", "target", "recipients", "rounds", "msgs_per_s", "p50_ms", "p99_ms",
                "p999_ms", "round_p50_ms", "missing", "load_avg", "us_per_delivered_msg", "server_cpu_us_per_delivered_msg");
        FileLimit.requireRoomFor(o.fanoutUserCounts.stream().mapToInt(Integer::intValue).max().orElse(0) + 1);
        out.printf(Locale.ROOT, "%n## fanout: one sender, %s recipients, %d rounds%n", o.fanoutUserCounts.size() == 1 ? o.fanoutUsers
                : o.fanoutUserCounts, o.rounds);
        out.printf(Locale.ROOT, "%-22s %4s %7s %12s %9s %9s %9s %10s %12s %12s %8s%n", "target", "run", "N", "msg/s", "p50 ms",
                "p99 ms", "p99.9 ms", "round ms", "us/msg", "cpu us/msg", "missing");
        // target -> N -> time per delivered message of each run; and the server's CPU time per delivered message
        Map<Target, Map<Integer, List<Double>>> perMsg = new LinkedHashMap<>();
        Map<Target, Map<Integer, List<Double>>> cpuPerMsg = new LinkedHashMap<>();
        for (int run = 1; run <= o.runs; run++) {
            for (Target t : o.targets) {
                for (int n : o.fanoutUserCounts) {
                    if (o.outOfTime()) {
                        return;
                    }
                    String name = o.fanoutUserCounts.size() == 1 ? "fanout" : "fanout-n" + n;
                    try (ServerProcess sp = ServerProcess.start(t, o, log(t, name, run));
                            Client client = new Client(t.transport(), sp.address(t.transport()), o.clientThreads)) {
                        Users.Dispatch d = new Users.Dispatch();
                        String[] recipients = tokens("r", n);
                        Client.Conn[] conns = Users.connect(client, recipients, d, o.loginConcurrency, 120);
                        Client.Conn sender = Users.connect(client, new String[] {"fanout-sender"}, d, 1, 30)[0];
                        FanoutScenario f = new FanoutScenario(sender, recipients, d);
                        f.run(Math.max(2, o.rounds / 5), o.payloadBytes, o.drainTimeoutSeconds); // warm-up
                        ServerCpu cpu = new ServerCpu(java.util.List.of(sp.pid()));
                        long ticksBefore = cpu.ticks();
                        FanoutScenario.Result r = f.run(o.rounds, o.payloadBytes, o.drainTimeoutSeconds);
                        long ticksAfter = cpu.ticks();
                        long delivered = (long) r.recipients() * r.rounds() - r.missing();
                        double cpuUsPerMsg = ticksBefore < 0 || ticksAfter < 0 || delivered <= 0 ? Double.NaN
                                : (ticksAfter - ticksBefore) * 1e6 / ServerCpu.TICKS_PER_SECOND / delivered;
                        double p50 = r.latency().getValueAtPercentile(50) / 1000.0;
                        double p99 = r.latency().getValueAtPercentile(99) / 1000.0;
                        double p999 = r.latency().getValueAtPercentile(99.9) / 1000.0;
                        double round = r.roundMillis().getValueAtPercentile(50);
                        double usPerMsg = r.microsPerMessage();
                        csv.row(run, t, r.recipients(), r.rounds(), r.msgsPerSecond(), p50, p99, p999, round, r.missing(), loadAverage(),
                                usPerMsg, cpuUsPerMsg);
                        out.printf(Locale.ROOT, "%-22s %4d %7d %12.0f %9.2f %9.2f %9.2f %10.0f %12.3f %12.3f %8d%n", t, run, n,
                                r.msgsPerSecond(), p50, p99, p999, round, usPerMsg, cpuUsPerMsg, r.missing());
                        perMsg.computeIfAbsent(t, k -> new LinkedHashMap<>()).computeIfAbsent(n, k -> new ArrayList<>()).add(usPerMsg);
                        cpuPerMsg.computeIfAbsent(t, k -> new LinkedHashMap<>()).computeIfAbsent(n, k -> new ArrayList<>()).add(cpuUsPerMsg);
                        Users.closeAll(conns);
                        sender.close();
                    } catch (IOException | IllegalStateException e) {
                        out.println(t + ": FAILED: " + e.getMessage());
                    }
                }
            }
        }
        if (o.fanoutUserCounts.size() > 1) {
            out.printf(Locale.ROOT, "%n## fanout scale: time per delivered message (median round time / N; medians of %d run(s))%n", o.runs);
            printFanoutScale(perMsg);
            out.printf(Locale.ROOT, "%n## fanout scale: server CPU time per delivered message (medians of %d run(s))%n", o.runs);
            printFanoutScale(cpuPerMsg);
        }
    }

    /** Prints, per target, the median µs per delivered message at each N and whether they stay within 20 %. */
    private void printFanoutScale(Map<Target, Map<Integer, List<Double>>> usPerMessage) {
        usPerMessage.forEach((t, byN) -> {
            List<double[]> lines = new ArrayList<>();
            StringBuilder sb = new StringBuilder();
            byN.forEach((n, v) -> {
                lines.add(new double[] {n, median(v)});
                sb.append(String.format(Locale.ROOT, "  N=%d %.3f us", n, median(v)));
            });
            double ratio = spread(lines, 1);
            out.printf(Locale.ROOT, "%-22s%s; largest/smallest %.2fx %s%n", t, sb, ratio, ratio <= 1.2 ? "FLAT" : "NOT FLAT");
        });
    }

    // ------------------------------------------------------------------------------ capacity

    private void capacity() throws Exception {
        Csv csv = new Csv(o.out.resolve("capacity.csv"), "run", "target", "connections", "live_heap_bytes", "rss_bytes",
                "heap_per_conn_bytes", "rss_per_conn_bytes", "heap_slope_bytes", "rss_slope_bytes", "load_avg");
        out.printf(Locale.ROOT, "%n## capacity: idle authenticated connections, steps %s%n", o.connections);
        FileLimit.requireRoomFor(o.connections.stream().mapToInt(Integer::intValue).max().orElse(0));
        out.printf(Locale.ROOT, "%-22s %4s %8s %12s %12s %12s %12s%n", "target", "run", "conns", "live heap MiB", "RSS MiB",
                "heap B/conn", "RSS B/conn");
        for (int run = 1; run <= o.runs; run++) {
            for (Target t : o.targets) {
                if (o.outOfTime()) {
                    return;
                }
                try (ServerProcess sp = ServerProcess.start(t, o, log(t, "capacity", run));
                        Client client = new Client(t.transport(), sp.address(t.transport()), o.clientThreads)) {
                    String label = t.toString().replace(':', '_') + "-run" + run;
                    CapacityScenario.Result r = CapacityScenario.run(client, sp, o.connections, o.out.resolve("histograms"), label, o.loginConcurrency);
                    for (CapacityScenario.Point p : r.points()) {
                        boolean lastPoint = p == r.points().get(r.points().size() - 1);
                        csv.row(run, t, p.connections(), p.liveHeapBytes(), p.rssBytes(), p.heapPerConn(), p.rssPerConn(),
                                lastPoint ? r.heapSlope() : Double.NaN, lastPoint ? r.rssSlope() : Double.NaN, loadAverage());
                        out.printf(Locale.ROOT, "%-22s %4d %8d %12.1f %12.1f %12.0f %12.0f%n", t, run, p.connections(),
                                p.liveHeapBytes() / 1048576.0, p.rssBytes() / 1048576.0, p.heapPerConn(), p.rssPerConn());
                    }
                    out.printf(Locale.ROOT, "%-22s slope between first and last step: heap %.0f B/conn, RSS %.0f B/conn%s%n", t,
                            r.heapSlope(), r.rssSlope(), r.stoppedBecause().isEmpty() ? "" : " (stopped " + r.stoppedBecause() + ")");
                    if (!r.topClasses().isEmpty()) {
                        Path f = o.out.resolve("capacity-classes-" + label + ".txt");
                        Files.writeString(f, String.join("\n", r.topClasses()) + "\n", StandardCharsets.UTF_8);
                        out.println("  largest per-connection heap by class (" + f + "):");
                        r.topClasses().stream().limit(8).forEach(line -> out.println("    " + line));
                    }
                } catch (IOException | IllegalStateException e) {
                    out.println(t + ": FAILED: " + e.getMessage());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ drain

    private void drain() throws Exception {
        Csv csv = new Csv(o.out.resolve("drain.csv"), "run", "target", "queued", "errors", "received", "drain_ms", "msgs_per_s",
                "in_order", "load_avg");
        out.printf(Locale.ROOT, "%n## drain: %d messages queued for an offline user, then login%n", o.messages);
        out.printf(Locale.ROOT, "%-26s %4s %8s %8s %10s %10s %9s%n", "target", "run", "queued", "received", "drain ms", "msg/s",
                "in order");
        for (int run = 1; run <= o.runs; run++) {
            for (Target t : o.targets) {
                if (o.outOfTime()) {
                    return;
                }
                try (ServerProcess sp = ServerProcess.start(t, o, log(t, "drain", run));
                        Client client = new Client(t.transport(), sp.address(t.transport()), o.clientThreads)) {
                    Users.Dispatch d = new Users.Dispatch();
                    DrainScenario ds = new DrainScenario(client, d);
                    ds.run("warm", Math.min(500, o.messages), o.payloadBytes, 60);
                    DrainScenario.Result r = ds.run("r" + run, o.messages, o.payloadBytes, 120);
                    csv.row(run, t, r.queued(), r.errors(), r.received(), r.drainMillis(), r.msgsPerSecond(), r.inOrder(), loadAverage());
                    out.printf(Locale.ROOT, "%-26s %4d %8d %8d %10.1f %10.0f %9s%n", t, run, r.queued(), r.received(), r.drainMillis(),
                            r.msgsPerSecond(), r.inOrder() ? "yes" : "NO");
                } catch (IOException | IllegalStateException e) {
                    out.println(t + ": FAILED: " + e.getMessage());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ stats

    static double median(List<Double> v) {
        if (v == null || v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(v);
        s.removeIf(d -> d.isNaN());
        if (s.isEmpty()) {
            return Double.NaN;
        }
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double min(List<Double> v) {
        return v == null ? Double.NaN : v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v == null ? Double.NaN : v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
