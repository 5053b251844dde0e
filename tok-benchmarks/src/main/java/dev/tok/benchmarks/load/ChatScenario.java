package dev.tok.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code chat}: U users online, each message from a random user to a random other user, at a
 * fixed offered rate (open loop: the k-th message is due at {@code start + k/rate}, and its body
 * carries that intended time, so a server or client that falls behind shows up as latency, not
 * as a lower rate: no coordinated omission). Steps the rate up until the system saturates.
 */
final class ChatScenario {

    /**
     * One measured step.
     *
     * @param crossNode of the received messages, those whose sender is connected to another node
     *                  than the recipient (user i is on node i % nodes); 0 on a single node
     * @param redis     Redis commands during the measured phase (cluster targets), else null
     * @param cpu       CPU time of the server processes (and the machine's steal) during the measured phase
     * @param series    the measured phase in buckets ({@code --latency-series-ms}), or null
     */
    record Step(double offered, double delivered, long sent, long received, long errors, long missing, Histogram latency,
            boolean saturated, long crossNode, RedisCommands.Delta redis, ServerCpu.Delta cpu, LatencySeries series) {
        double p(double percentile) {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1000.0;
        }

        /** @return Redis commands per message delivered in the measured phase; NaN without Redis */
        double redisPerMessage() {
            return redis == null || delivered <= 0 ? Double.NaN : redis.total() / (delivered * redis.seconds());
        }

        /** @return the servers' CPU ms per wall second of the measured phase; NaN without /proc */
        double cpuMsPerSecond() {
            return cpu.msPerSecond();
        }

        /** @return the servers' CPU µs per message delivered in the measured phase; NaN without /proc */
        double cpuUsPerMessage() {
            return cpu.usPerMessage(delivered);
        }
    }

    private final Client client;
    private final Client.Conn[] conns;
    private final String[] uids;
    private final Users.Dispatch dispatch;
    private final int payloadBytes;
    private final SplittableRandom random = new SplittableRandom(42);
    /** Nodes the users are spread over (user i on node i % nodes); above 1, every message goes to another node. */
    private final int nodes;
    /** Counts Redis's commands around the measured phase; null without Redis. */
    private final RedisCommands redis;
    /** Reads the server processes' CPU time around the measured phase; null: not measured. */
    private final ServerCpu cpu;
    /** The width of a {@link LatencySeries} bucket; 0: no series. */
    private final double seriesMillis;

    private volatile Window window;

    private static final class Window {
        final long start;
        final long measureFrom;
        final long measureTo;
        final LongAdder received = new LongAdder();
        final LongAdder inWindow = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder crossNode = new LongAdder();
        final Recorder recorder = new Recorder(3);
        /** null: no series */
        final LatencySeries series;

        Window(long start, long measureFrom, long measureTo, LatencySeries series) {
            this.start = start;
            this.measureFrom = measureFrom;
            this.measureTo = measureTo;
            this.series = series;
        }
    }

    ChatScenario(Client client, Client.Conn[] conns, String[] uids, Users.Dispatch dispatch, int payloadBytes) {
        this(client, conns, uids, dispatch, payloadBytes, 1, null, null, 0);
    }

    /**
     * @param nodes how many nodes the users are spread over (user i on node i % nodes); with more
     *              than one, each message goes from a user on one node to a user on another
     * @param redis where to count Redis commands during each measured phase, or null
     * @param cpu   the server processes whose CPU time each measured phase reads, or null
     * @param seriesMillis the bucket width of each measured step's {@link LatencySeries}; 0: none
     */
    ChatScenario(Client client, Client.Conn[] conns, String[] uids, Users.Dispatch dispatch, int payloadBytes, int nodes,
            RedisCommands redis, ServerCpu cpu, double seriesMillis) {
        if (nodes > 1 && uids.length < nodes) {
            throw new IllegalArgumentException("--users must be at least the number of nodes");
        }
        this.nodes = nodes;
        this.redis = redis;
        this.cpu = cpu;
        this.seriesMillis = seriesMillis;
        this.client = client;
        this.conns = conns;
        this.uids = uids;
        this.dispatch = dispatch;
        this.payloadBytes = payloadBytes;
        for (int i = 0; i < conns.length; i++) {
            conns[i].mark = i; // the recipient's index, for the cross-node count
        }
        dispatch.handler = this::onFrame;
        dispatch.closed.set(0); // logins that were retried do not count as lost connections
    }

    private void onFrame(Client.Conn conn, Frames.In in, long arrival) {
        Window w = window;
        if (w == null) {
            return;
        }
        if (in.is("msg")) {
            if (in.t < w.start) {
                return; // a late message of an earlier step
            }
            w.received.increment();
            if (nodes > 1) {
                int from = senderIndex(in.payload);
                if (from >= 0 && from % nodes != conn.mark % nodes) {
                    w.crossNode.increment();
                }
            }
            if (arrival >= w.measureFrom && arrival < w.measureTo) {
                w.inWindow.increment();
            }
            if (in.t >= w.measureFrom && in.t < w.measureTo) {
                long micros = Math.max(0, (arrival - in.t) / 1000);
                w.recorder.recordValue(micros);
                if (w.series != null) {
                    w.series.record(in.t - w.measureFrom, micros);
                }
            }
        } else if (in.is("error") || in.is("unparsable")) {
            w.errors.increment();
        }
    }

    private static final byte[] FROM_U = "\"from\":\"u".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** @return i of the sender {@code u<i>} of a {@code msg} frame ({@code "from":"u<i>"}), or -1 */
    static int senderIndex(byte[] p) {
        int limit = Math.min(p.length - FROM_U.length, 64); // the server writes "from" near the start
        outer:
        for (int i = 0; i <= limit; i++) {
            for (int j = 0; j < FROM_U.length; j++) {
                if (p[i + j] != FROM_U[j]) {
                    continue outer;
                }
            }
            int v = 0;
            int k = i + FROM_U.length;
            if (k >= p.length || p[k] < '0' || p[k] > '9') {
                return -1;
            }
            while (k < p.length && p[k] >= '0' && p[k] <= '9') {
                v = v * 10 + (p[k++] - '0');
            }
            return k < p.length && p[k] == '"' ? v : -1;
        }
        return -1;
    }

    /**
     * Offers {@code rate} messages per second for warmup + measure seconds, then waits up to
     * {@code drainSeconds} for the stragglers.
     */
    Step run(double rate, double warmupSeconds, double measureSeconds, double drainSeconds) {
        long warm = (long) (warmupSeconds * 1e9);
        long measure = (long) (measureSeconds * 1e9);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        LatencySeries series = seriesMillis > 0 && measure > 0 ? new LatencySeries(seriesMillis, measureSeconds) : null;
        Window w = new Window(start, start + warm, start + warm + measure, series);
        if (series != null) {
            series.sampleMachine(w.measureFrom);
        }
        window = w;
        RedisCommands.Probe probe = redis == null ? null : redis.probe(w.measureFrom, w.measureTo);
        java.util.concurrent.CompletableFuture<ServerCpu.Delta> cpuProbe = cpu == null
                ? java.util.concurrent.CompletableFuture.completedFuture(ServerCpu.Delta.UNKNOWN) : cpu.probe(w.measureFrom, w.measureTo);
        long total = (long) (rate * (warm + measure) / 1e9);
        double nanosPerMsg = 1e9 / rate;
        int max = 1024;
        Client.Conn[] bc = new Client.Conn[max];
        byte[][] bf = new byte[max][];
        long k = 0;
        int n = uids.length;
        while (k < total) {
            long now = System.nanoTime();
            long due = Math.min(total, (long) ((now - start) / nanosPerMsg) + 1);
            int count = 0;
            while (k < due && count < max) {
                long intended = start + (long) (k * nanosPerMsg);
                int from = random.nextInt(n);
                int to = random.nextInt(n - 1);
                if (to >= from) {
                    to++;
                }
                while (nodes > 1 && to % nodes == from % nodes) { // a recipient on another node
                    to = random.nextInt(n);
                }
                bc[count] = conns[from];
                bf[count] = Frames.send(uids[to], intended, k, payloadBytes, null, -1);
                count++;
                k++;
            }
            if (count > 0) {
                Client.sendBatch(bc, bf, count);
            } else {
                LockSupport.parkNanos(Math.min(200_000, Math.max(10_000, start + (long) (k * nanosPerMsg) - now)));
            }
        }
        long deadline = System.nanoTime() + (long) (drainSeconds * 1e9);
        while (w.received.sum() + w.errors.sum() < total && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        window = null;
        Histogram h = w.recorder.getIntervalHistogram();
        long received = w.received.sum();
        long errors = w.errors.sum();
        long missing = Math.max(0, total - received - errors);
        double delivered = w.inWindow.sum() / measureSeconds;
        double p99ms = h.getTotalCount() == 0 ? Double.POSITIVE_INFINITY : h.getValueAtPercentile(99) / 1000.0;
        boolean saturated = delivered < 0.95 * rate || missing > total / 1000 || p99ms > 1000 || dispatch.closed.get() > 0;
        return new Step(rate, delivered, total, received, errors, missing, h, saturated, w.crossNode.sum(), probe == null ? null : probe.await(),
                await(cpuProbe), series);
    }

    private static ServerCpu.Delta await(java.util.concurrent.CompletableFuture<ServerCpu.Delta> probe) {
        try {
            return probe.get(30, TimeUnit.SECONDS); // it reads at the end of the measured phase, which has passed
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return ServerCpu.Delta.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ServerCpu.Delta.UNKNOWN;
        }
    }

    /**
     * Steps up the rate until a step saturates (or the list / step budget ends). A saturated step
     * is run a second time and the better of the two is kept; the other goes to {@code discarded}.
     */
    List<Step> ramp(LoadOptions o, java.util.function.Consumer<Step> each, java.util.function.Consumer<Step> discarded) {
        List<Step> steps = new ArrayList<>();
        List<Double> rates = new ArrayList<>(o.rates);
        if (rates.isEmpty()) {
            double r = o.rateStart;
            for (int i = 0; i < o.maxSteps; i++) {
                rates.add(Math.rint(r));
                r *= o.rateFactor;
            }
        }
        for (double rate : rates) {
            if (o.outOfTime()) {
                break;
            }
            Step s = run(rate, o.warmupSeconds, o.measureSeconds, o.drainTimeoutSeconds);
            if (s.saturated() && !o.outOfTime()) {
                // on a shared machine a stall of another process can look like saturation: confirm it once
                Step again = run(rate, o.warmupSeconds, o.measureSeconds, o.drainTimeoutSeconds);
                discarded.accept(again.saturated() && again.delivered() <= s.delivered() ? again : s);
                s = again.saturated() && again.delivered() <= s.delivered() ? s : again;
            }
            steps.add(s);
            each.accept(s);
            if (s.saturated()) {
                break;
            }
        }
        // saturated at the first step: step down, so that the curve has points below saturation too
        double down = rates.get(0);
        for (int i = 0; i < 3 && steps.size() == i + 1 && steps.get(i).saturated() && o.rates.isEmpty() && !o.outOfTime(); i++) {
            down = Math.rint(down / 2);
            Step s = run(down, o.warmupSeconds, o.measureSeconds, o.drainTimeoutSeconds);
            steps.add(s);
            each.accept(s);
        }
        return steps;
    }

    static double saturatedThroughput(List<Step> steps) {
        double best = 0;
        for (Step s : steps) {
            best = Math.max(best, s.delivered());
        }
        return best;
    }
}
