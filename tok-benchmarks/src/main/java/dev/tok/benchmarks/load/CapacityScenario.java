package dev.tok.benchmarks.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code capacity}: opens N authenticated idle connections in steps and samples the server's
 * live heap (after a full GC) and resident memory at each step, against a sample taken with
 * none. Per-connection figures: (step - empty) / N, and the slope between the first and the
 * last step, which excludes one-time costs (pools, caches, classes warmed by the first logins).
 */
final class CapacityScenario {

    record Point(int connections, long liveHeapBytes, long rssBytes, double heapPerConn, double rssPerConn) {
    }

    record Result(List<Point> points, double heapSlope, double rssSlope, List<String> topClasses, String stoppedBecause) {
    }

    static Result run(Client client, ServerProcess server, List<Integer> steps, Path outDir, String label, int loginConcurrency)
            throws Exception {
        Users.Dispatch dispatch = new Users.Dispatch();
        ServerProbe.Sample empty = ServerProbe.sample(server.pid(), outDir.resolve("histo-" + label + "-0.txt"));
        List<Point> points = new ArrayList<>();
        List<Client.Conn[]> held = new ArrayList<>();
        int open = 0;
        ServerProbe.Sample first = null;
        ServerProbe.Sample last = null;
        int firstN = 0;
        String stopped = "";
        try {
            for (int target : steps) {
                int add = target - open;
                if (add <= 0) {
                    continue;
                }
                String[] tokens = new String[add];
                for (int i = 0; i < add; i++) {
                    tokens[i] = "c" + (open + i);
                }
                try {
                    held.add(Users.connect(client, tokens, dispatch, loginConcurrency, 120));
                } catch (IllegalStateException e) {
                    stopped = "at " + target + ": " + e.getMessage();
                    break;
                }
                open = target;
                ServerProbe.Sample s = ServerProbe.sample(server.pid(), outDir.resolve("histo-" + label + "-" + target + ".txt"));
                points.add(new Point(target, s.liveHeapBytes(), s.rssBytes(),
                        (double) (s.liveHeapBytes() - empty.liveHeapBytes()) / target, (double) (s.rssBytes() - empty.rssBytes()) / target));
                if (first == null) {
                    first = s;
                    firstN = target;
                }
                last = s;
            }
        } finally {
            for (Client.Conn[] cs : held) {
                Users.closeAll(cs);
            }
        }
        double heapSlope = Double.NaN;
        double rssSlope = Double.NaN;
        List<String> top = new ArrayList<>();
        if (first != null && last != null && open > firstN) {
            int dn = open - firstN;
            heapSlope = (double) (last.liveHeapBytes() - first.liveHeapBytes()) / dn;
            rssSlope = (double) (last.rssBytes() - first.rssBytes()) / dn;
            Map<String, Long> delta = new HashMap<>(last.bytesByClass());
            first.bytesByClass().forEach((k, v) -> delta.merge(k, -v, Long::sum));
            delta.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(15)
                    .forEach(e -> top.add(String.format(java.util.Locale.ROOT, "%8.1f B/conn  %s", (double) e.getValue() / dn, e.getKey())));
        }
        return new Result(points, heapSlope, rssSlope, top, stopped);
    }
}
