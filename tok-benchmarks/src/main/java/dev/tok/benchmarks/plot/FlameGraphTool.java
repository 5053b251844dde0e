package dev.tok.benchmarks.plot;

import dev.tok.benchmarks.util.Args;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A flame graph of a JFR recording's CPU samples ({@code jdk.ExecutionSample}) as a PNG, drawn
 * with Java2D: the root at the bottom, each frame as wide as the samples it is on, callees above
 * their callers, labelled {@code Class.method} (cut to fit), coloured by package: tok code
 * ({@code dev.tok}) green, Netty blue, the JDK orange, anything else grey. Frames on fewer than
 * {@code --min-percent} of the samples are left out. Also prints the top 15 frames by self time
 * (the sample's leaf) and by total time (anywhere on the stack, once per sample), in percent of
 * the samples.
 *
 * <p>Usage: {@code java -cp tok-benchmarks.jar dev.tok.benchmarks.plot.FlameGraphTool --in
 * server.jfr --out flame.png [--title T] [--threads REGEX] [--width 1600] [--min-percent 0.3]}.
 * {@code --threads} keeps the samples of threads whose Java name (or OS name) matches the regex
 * (the whole name, e.g. {@code 'tok-.*|.*epoll.*'}). Record a server with the load tool's
 * {@code --server-jfr DIR}.
 */
public final class FlameGraphTool {

    private static final int ROW = 17;
    private static final Color TOK = new Color(0x6CC070);
    private static final Color NETTY = new Color(0x6FA8DC);
    private static final Color JDK = new Color(0xF2A45C);
    private static final Color OTHER = new Color(0xB8B8B8);

    private FlameGraphTool() {
    }

    /** One frame in the call tree: a method at one path from the root. */
    static final class Node {
        final String name;
        final String type;
        long total;
        long self;
        final Map<String, Node> children = new LinkedHashMap<>();

        Node(String name, String type) {
            this.name = name;
            this.type = type;
        }
    }

    /**
     * The samples of a recording, aggregated.
     *
     * @param root       the call tree (name "all")
     * @param samples    samples kept (after the thread filter)
     * @param selfTime   frame ({@code package.Class.method}) to samples where it is the leaf
     * @param totalTime  frame to samples where it is anywhere on the stack
     */
    record Profile(Node root, long samples, Map<String, Long> selfTime, Map<String, Long> totalTime) {

        /** @return the {@code n} frames with the most self time, with their percent of the samples */
        List<Map.Entry<String, Double>> topSelf(int n) {
            return top(selfTime, n);
        }

        /** @return the {@code n} frames with the most total time, with their percent of the samples */
        List<Map.Entry<String, Double>> topTotal(int n) {
            return top(totalTime, n);
        }

        private List<Map.Entry<String, Double>> top(Map<String, Long> m, int n) {
            List<Map.Entry<String, Double>> l = new ArrayList<>();
            m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(n).forEach(e -> l.add(Map.entry(e.getKey(), 100.0 * e.getValue() / Math.max(1, samples))));
            return l;
        }
    }

    /**
     * @param argv {@code --in file.jfr --out file.png [--title T] [--threads REGEX] [--width 1600] [--min-percent 0.3]}
     * @throws IOException if the recording cannot be read or the image written
     */
    public static void main(String[] argv) throws IOException {
        Args a = new Args(argv, "in", "out", "title", "threads", "width", "min-percent");
        if (!a.has("in") || !a.has("out")) {
            System.err.println("usage: FlameGraphTool --in file.jfr --out file.png [--title T] [--threads REGEX] [--width 1600] "
                    + "[--min-percent 0.3]");
            System.exit(2);
            return;
        }
        Path in = Path.of(a.string("in", null));
        Path out = Path.of(a.string("out", null));
        Pattern threads = a.has("threads") ? Pattern.compile(a.string("threads", null)) : null;
        Profile p = read(in, threads);
        render(p, out, title(a.has("title") ? a.string("title", null) : null, in, p, threads), a.integer("width", 1600),
                a.decimal("min-percent", 0.3));
        printTop(p, System.out);
        System.out.println("wrote " + out);
    }

    /** The title: the given one or the file name, then the sample count and the thread filter. */
    static String title(String given, Path in, Profile p, Pattern threads) {
        return (given == null ? in.getFileName().toString() : given + " (" + in.getFileName() + ")") + ": " + p.samples()
                + " CPU samples" + (threads == null ? ", all threads" : ", threads matching /" + threads.pattern() + "/");
    }

    /**
     * Reads the {@code jdk.ExecutionSample} events of a recording.
     *
     * @param jfr     the recording
     * @param threads keep the samples of threads whose name matches (whole name), or null for all
     * @return the aggregated profile
     * @throws IOException if the file cannot be read
     */
    public static Profile read(Path jfr, Pattern threads) throws IOException {
        Node root = new Node("all", "");
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        long samples = 0;
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                if (threads != null && !matches(threads, e.getThread("sampledThread"))) {
                    continue;
                }
                samples++;
                root.total++;
                List<RecordedFrame> frames = st.getFrames(); // leaf first
                Set<String> seen = new HashSet<>();
                Node n = root;
                for (int i = frames.size() - 1; i >= 0; i--) {
                    RecordedMethod m = frames.get(i).getMethod();
                    String type = m == null || m.getType() == null ? "?" : m.getType().getName();
                    String method = m == null ? "?" : m.getName();
                    String full = type + "." + method;
                    if (seen.add(full)) {
                        total.merge(full, 1L, Long::sum);
                    }
                    Node parent = n;
                    n = parent.children.computeIfAbsent(full, k -> new Node(simpleName(type) + "." + method, type));
                    n.total++;
                }
                n.self++;
                String leaf = qualified(frames.get(0));
                self.merge(leaf, 1L, Long::sum);
            }
        }
        return new Profile(root, samples, self, total);
    }

    private static boolean matches(Pattern p, RecordedThread t) {
        if (t == null) {
            return false;
        }
        return t.getJavaName() != null && p.matcher(t.getJavaName()).matches() || t.getOSName() != null && p.matcher(t.getOSName()).matches();
    }

    private static String qualified(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return (m == null || m.getType() == null ? "?" : m.getType().getName()) + "." + (m == null ? "?" : m.getName());
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    static Color color(String type) {
        if (type.startsWith("dev.tok.")) {
            return TOK;
        }
        if (type.startsWith("io.netty.")) {
            return NETTY;
        }
        if (type.startsWith("java.") || type.startsWith("javax.") || type.startsWith("jdk.") || type.startsWith("sun.")
                || type.startsWith("com.sun.")) {
            return JDK;
        }
        return OTHER;
    }

    /**
     * Draws the flame graph.
     *
     * @param p          the profile
     * @param png        where to write it
     * @param title      the title line
     * @param width      image width in pixels
     * @param minPercent frames on fewer samples than this percent are left out
     * @throws IOException if it cannot be written
     */
    public static void render(Profile p, Path png, String title, int width, double minPercent) throws IOException {
        long min = (long) Math.ceil(p.samples() * minPercent / 100.0);
        int depth = depth(p.root(), min);
        int top = 44;
        int height = top + (depth + 1) * ROW + 24;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 10, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int lx = 10;
        for (Object[] legend : new Object[][] {{"tok", TOK}, {"netty", NETTY}, {"jdk", JDK}, {"other", OTHER}}) {
            g.setColor((Color) legend[1]);
            g.fillRect(lx, 28, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString((String) legend[0], lx + 16, 39);
            lx += 70;
        }
        g.drawString(String.format(Locale.ROOT, "width = share of samples; frames under %.1f %% left out", minPercent), lx + 10, 39);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        int base = height - 24 - ROW; // the root's row
        if (p.samples() > 0) {
            draw(g, p.root(), 0, width, base, p.samples(), min);
        }
        g.dispose();
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(img, "png", png.toFile());
    }

    private static int depth(Node n, long min) {
        int d = 0;
        for (Node c : n.children.values()) {
            if (c.total >= min) {
                d = Math.max(d, 1 + depth(c, min));
            }
        }
        return d;
    }

    private static void draw(Graphics2D g, Node n, double x, double w, int y, long samples, long min) {
        int x0 = (int) Math.round(x);
        int x1 = (int) Math.round(x + w);
        g.setColor(n.type.isEmpty() ? new Color(0xE0E0E0) : color(n.type));
        g.fillRect(x0, y, Math.max(1, x1 - x0 - 1), ROW - 1);
        FontMetrics fm = g.getFontMetrics();
        String label = n.type.isEmpty() ? String.format(Locale.ROOT, "all (%d samples)", samples) : n.name;
        int room = x1 - x0 - 6;
        if (room > fm.stringWidth("W..")) {
            String text = fit(label, room, fm);
            g.setColor(Color.BLACK);
            g.drawString(text, x0 + 3, y + ROW - 5);
        }
        double cx = x;
        List<Node> kids = new ArrayList<>(n.children.values());
        kids.sort(Comparator.comparing(k -> k.name)); // alphabetical, as in classic flame graphs
        for (Node c : kids) {
            double cw = w * c.total / n.total;
            if (c.total >= min) {
                draw(g, c, cx, cw, y - ROW, samples, min);
            }
            cx += cw;
        }
    }

    private static String fit(String s, int room, FontMetrics fm) {
        if (fm.stringWidth(s) <= room) {
            return s;
        }
        int end = s.length();
        while (end > 1 && fm.stringWidth(s.substring(0, end) + "..") > room) {
            end--;
        }
        return s.substring(0, end) + "..";
    }

    /** Prints the top 15 frames by self and by total time, in percent of the samples. */
    static void printTop(Profile p, PrintStream out) {
        out.printf(Locale.ROOT, "%d samples%n%ntop 15 self time (%% of samples, frame at the top of the stack)%n", p.samples());
        p.topSelf(15).forEach(e -> out.printf(Locale.ROOT, "%7.2f%%  %s%n", e.getValue(), e.getKey()));
        out.printf(Locale.ROOT, "%ntop 15 total time (%% of samples, frame anywhere on the stack)%n");
        p.topTotal(15).forEach(e -> out.printf(Locale.ROOT, "%7.2f%%  %s%n", e.getValue(), e.getKey()));
    }
}
