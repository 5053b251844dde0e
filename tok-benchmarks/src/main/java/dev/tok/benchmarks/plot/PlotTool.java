package dev.tok.benchmarks.plot;

import dev.tok.benchmarks.util.Args;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Turns the load tool's CSV files into PNG charts: throughput against latency per target
 * ({@code chat.csv}, ramp steps, median over runs per offered rate) and memory per connection
 * ({@code capacity.csv}).
 *
 * <p>Usage: {@code java -cp tok-benchmarks.jar dev.tok.benchmarks.plot.PlotTool --in
 * target/bench-results --out docs/benchmarks}. Writes {@code chat-p99.png}, {@code chat-p50.png},
 * {@code capacity-heap.png}, {@code capacity-rss.png} for the CSV files it finds; {@code scale.png}
 * (server CPU µs per message and p99 against users, two panels) when {@code chat.csv} has rows of a
 * scale run (phase {@code scale}), and {@code fanout-scale.png} (time per delivered message against
 * N) when {@code fanout.csv} has more than one N.
 */
public final class PlotTool {

    private PlotTool() {
    }

    /**
     * @param argv {@code --in DIR --out DIR [--width 800] [--height 500] [--charts chat,capacity,scale,fanout-scale]}
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] argv) throws IOException {
        Args a = new Args(argv, "in", "out", "width", "height", "charts");
        Path in = Path.of(a.string("in", "target/bench-results"));
        Path out = Path.of(a.string("out", "docs/benchmarks"));
        int w = a.integer("width", 800);
        int h = a.integer("height", 500);
        Files.createDirectories(out);
        List<String> charts = a.list("charts", String.join(",", CHARTS));
        for (String c : charts) {
            if (!CHARTS.contains(c)) {
                throw new IllegalArgumentException("unknown chart '" + c + "' in --charts; known: " + CHARTS);
            }
        }
        List<Path> written = plot(in, out, w, h, charts);
        written.forEach(p -> System.out.println("wrote " + p));
    }

    /** The chart groups of {@code --charts}: chat-p99/p50, capacity-heap/rss, scale, fanout-scale. */
    static final List<String> CHARTS = List.of("chat", "capacity", "scale", "fanout-scale");

    /**
     * @return the files written
     */
    public static List<Path> plot(Path in, Path out, int width, int height) throws IOException {
        return plot(in, out, width, height, CHARTS);
    }

    /**
     * @param charts which of {@link #CHARTS} to draw (when their CSV has rows for them)
     * @return the files written
     */
    public static List<Path> plot(Path in, Path out, int width, int height, List<String> charts) throws IOException {
        List<Path> written = new ArrayList<>();
        Files.createDirectories(out);
        Path chat = in.resolve("chat.csv");
        if (Files.exists(chat)) {
            List<Map<String, String>> rows = read(chat);
            if (charts.contains("chat") && rows.stream().anyMatch(r -> "ramp".equals(r.get("phase")))) {
                written.add(chatChart(rows, "p99_ms", "p99", out.resolve("chat-p99.png"), width, height));
                written.add(chatChart(rows, "p50_ms", "p50", out.resolve("chat-p50.png"), width, height));
            }
            if (charts.contains("scale") && rows.stream().anyMatch(r -> "scale".equals(r.get("phase")))) {
                written.add(scaleChart(rows, out.resolve("scale.png"), width, height));
            }
        }
        Path capacity = in.resolve("capacity.csv");
        if (charts.contains("capacity") && Files.exists(capacity)) {
            List<Map<String, String>> rows = read(capacity);
            written.add(capacityChart(rows, "heap_per_conn_bytes", "live heap per connection (KiB)", out.resolve("capacity-heap.png"),
                    width, height));
            written.add(capacityChart(rows, "rss_per_conn_bytes", "RSS per connection (KiB)", out.resolve("capacity-rss.png"),
                    width, height));
        }
        Path fanout = in.resolve("fanout.csv");
        if (charts.contains("fanout-scale") && Files.exists(fanout)) {
            List<Map<String, String>> rows = read(fanout);
            rows.removeIf(r -> r.get("us_per_delivered_msg") == null); // rows of an older tool
            if (rows.stream().map(r -> r.get("recipients")).distinct().count() > 1) {
                written.add(fanoutScaleChart(rows, out.resolve("fanout-scale.png"), width, height));
            }
        }
        return written;
    }

    /**
     * Two panels over users (the rows of phase {@code scale}, median over runs per target, user
     * count and offered rate): the servers' CPU µs per delivered message above, p99 below.
     */
    private static Path scaleChart(List<Map<String, String>> rows, Path file, int w, int h) throws IOException {
        boolean severalRates = rows.stream().filter(r -> "scale".equals(r.get("phase"))).map(r -> r.get("offered_per_s")).distinct()
                .count() > 1;
        XYChart cpu = new XYChartBuilder().width(w).height(h).title("chat at scale: server CPU per delivered message")
                .xAxisTitle("users online").yAxisTitle("server CPU (us/msg)").build();
        XYChart p99 = new XYChartBuilder().width(w).height(h).title("chat at scale: p99 latency")
                .xAxisTitle("users online").yAxisTitle("p99 latency (ms)").build();
        style(cpu);
        style(p99);
        // series (target, or target @ rate) -> users -> {cpu, p99} over runs
        Map<String, TreeMap<Double, List<double[]>>> series = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            if (!"scale".equals(r.get("phase")) || r.get("users") == null) {
                continue;
            }
            String key = r.get("target") + (severalRates ? " @ " + Math.round(Double.parseDouble(r.get("offered_per_s"))) + "/s" : "");
            series.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(Double.parseDouble(r.get("users")), k -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(r.get("server_cpu_us_per_msg")), Double.parseDouble(r.get("p99_ms"))});
        }
        series.forEach((key, byUsers) -> {
            for (int panel = 0; panel < 2; panel++) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (Map.Entry<Double, List<double[]>> e : byUsers.entrySet()) {
                    int index = panel;
                    List<double[]> known = e.getValue().stream().filter(v -> !Double.isNaN(v[index])).toList();
                    if (!known.isEmpty()) { // NaN: no /proc (CPU) or nothing measured (p99)
                        xs.add(e.getKey());
                        ys.add(median(known, panel));
                    }
                }
                if (!xs.isEmpty()) {
                    (panel == 0 ? cpu : p99).addSeries(key, xs, ys).setMarker(SeriesMarkers.CIRCLE);
                }
            }
        });
        BufferedImage top = BitmapEncoder.getBufferedImage(cpu);
        BufferedImage bottom = BitmapEncoder.getBufferedImage(p99);
        BufferedImage both = new BufferedImage(w, top.getHeight() + bottom.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(top, 0, 0, null);
        g.drawImage(bottom, 0, top.getHeight(), null);
        g.dispose();
        ImageIO.write(both, "png", file.toFile());
        return file;
    }

    /** Time per delivered message (median round time / N) against N, median over runs per target. */
    private static Path fanoutScaleChart(List<Map<String, String>> rows, Path file, int w, int h) throws IOException {
        XYChart chart = new XYChartBuilder().width(w).height(h).title("fanout: time per delivered message (round time / N)")
                .xAxisTitle("recipients N").yAxisTitle("us per delivered message").build();
        style(chart);
        Map<String, TreeMap<Double, List<double[]>>> series = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            double x = Double.parseDouble(r.get("recipients"));
            series.computeIfAbsent(r.get("target"), k -> new TreeMap<>()).computeIfAbsent(x, k -> new ArrayList<>())
                    .add(new double[] {x, Double.parseDouble(r.get("us_per_delivered_msg"))});
        }
        series.forEach((target, byN) -> {
            List<Double> ys = new ArrayList<>();
            byN.values().forEach(points -> ys.add(median(points, 1)));
            chart.addSeries(target, new ArrayList<>(byN.keySet()), ys).setMarker(SeriesMarkers.CIRCLE);
        });
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    private static Path chatChart(List<Map<String, String>> rows, String column, String label, Path file, int w, int h)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(w).height(h).title("chat: delivered throughput vs " + label + " latency")
                .xAxisTitle("delivered messages/s").yAxisTitle(label + " latency (ms, log)").build();
        style(chart);
        chart.getStyler().setYAxisLogarithmic(true);
        // target -> offered rate -> values over runs
        Map<String, TreeMap<Double, List<double[]>>> series = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            if (!"ramp".equals(r.get("phase"))) {
                continue;
            }
            double x = Double.parseDouble(r.get("delivered_per_s"));
            double y = Double.parseDouble(r.get(column));
            if (Double.isNaN(y)) {
                continue;
            }
            series.computeIfAbsent(r.get("target"), k -> new TreeMap<>())
                    .computeIfAbsent(Double.parseDouble(r.get("offered_per_s")), k -> new ArrayList<>()).add(new double[] {x, Math.max(0.01, y)});
        }
        series.forEach((target, byRate) -> {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            byRate.values().forEach(points -> {
                xs.add(median(points, 0));
                ys.add(median(points, 1));
            });
            XYSeries s = chart.addSeries(target, xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
        });
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    private static Path capacityChart(List<Map<String, String>> rows, String column, String label, Path file, int w, int h)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(w).height(h).title("capacity: " + label + ", idle authenticated connections")
                .xAxisTitle("connections").yAxisTitle(label).build();
        style(chart);
        Map<String, TreeMap<Double, List<double[]>>> series = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            double x = Double.parseDouble(r.get("connections"));
            double y = Double.parseDouble(r.get(column)) / 1024;
            series.computeIfAbsent(r.get("target"), k -> new TreeMap<>()).computeIfAbsent(x, k -> new ArrayList<>())
                    .add(new double[] {x, y});
        }
        series.forEach((target, byN) -> {
            List<Double> xs = new ArrayList<>(byN.keySet());
            List<Double> ys = new ArrayList<>();
            byN.values().forEach(points -> ys.add(median(points, 1)));
            chart.addSeries(target, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        });
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    private static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setAntiAlias(true);
    }

    private static double median(List<double[]> points, int index) {
        double[] v = points.stream().mapToDouble(p -> p[index]).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /**
     * Reads a CSV file written by the load tool.
     *
     * @param csv the file
     * @return its rows, column name to cell
     * @throws IOException if it cannot be read
     */
    public static List<Map<String, String>> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<Map<String, String>> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] header = lines.get(0).split(",");
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] cells = lines.get(i).split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.length && c < cells.length; c++) {
                row.put(header[c], cells[c]);
            }
            rows.add(row);
        }
        return rows;
    }
}
