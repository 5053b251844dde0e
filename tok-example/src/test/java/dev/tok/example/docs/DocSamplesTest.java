package dev.tok.example.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tok.api.TokServer;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.JdkWebSocketClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the code samples of the documentation true: every {@code ```java} block of every
 * {@code README.md} and every {@code <pre>{@code ...}</pre>} block in the Javadoc of the main
 * sources must be preceded by a marker {@code <!-- sample: FILE#NAME -->} and be exactly the text of
 * the region {@code // tag::NAME[]} ... {@code // end::NAME[]} of FILE (a file of this package, or
 * a path from the repository root), with the region's common indentation removed. A region may
 * appear more than once in its file (a field, then statements); its parts are joined. The snippet
 * files are compiled with the tests, so a sample that no longer compiles fails the build; the
 * tests below also run the samples that start a server.
 */
class DocSamplesTest {

    private static final Path ROOT = repositoryRoot();
    private static final Path SNIPPETS = ROOT.resolve("tok-example/src/test/java/dev/tok/example/docs");
    private static final Pattern MARKER = Pattern.compile("^\\s*(?:\\*\\s*)?<!-- sample: (\\S+)#([\\w-]+) -->\\s*$");
    private static final Pattern TAG = Pattern.compile("^\\s*//\\s*(tag|end)::([\\w-]+)\\[\\].*$");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ExecutorService SAMPLE_THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "doc-sample");
        t.setDaemon(true);
        return t;
    });

    @AfterAll
    static void stopThreads() {
        SAMPLE_THREADS.shutdownNow();
    }

    // ------------------------------------------------------------------------ the text of the docs

    /** A code block of a document. */
    record Block(Path document, int line, String text, String file, String region) {
        @Override
        public String toString() {
            return ROOT.relativize(document) + ":" + line + (file == null ? "" : " -> " + file + "#" + region);
        }
    }

    @TestFactory
    @DisplayName("every code sample of the READMEs and the Javadoc is the text of a compiled snippet region")
    Stream<DynamicTest> samplesAreSnippetRegions() {
        return blocks().stream().map(b -> DynamicTest.dynamicTest(b.toString(), () -> check(b)));
    }

    @Test
    @DisplayName("the documents have samples, and every snippet region is shown in a document")
    void everyRegionIsUsed() throws IOException {
        List<Block> blocks = blocks();
        assertThat(blocks).as("code samples found").hasSizeGreaterThan(30);
        Set<String> shown = blocks.stream().filter(b -> b.file() != null)
                .map(b -> snippetFile(b.file()).toAbsolutePath().normalize() + "#" + b.region()).collect(Collectors.toSet());
        List<String> unused = new ArrayList<>();
        try (Stream<Path> files = Files.list(SNIPPETS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                for (String region : regions(f).keySet()) {
                    if (!shown.contains(f.toAbsolutePath().normalize() + "#" + region)) {
                        unused.add(SNIPPETS.relativize(f) + "#" + region);
                    }
                }
            }
        }
        assertThat(unused).as("snippet regions no document shows (remove them, or add the marker to the document)").isEmpty();
    }

    private static void check(Block b) throws IOException {
        if (b.file() == null) {
            fail(b + ": a code sample without a marker. Put the sample in a tagged region of a snippet file in "
                    + ROOT.relativize(SNIPPETS) + " (// tag::NAME[] ... // end::NAME[]) and add the line\n    "
                    + (b.document().toString().endsWith(".java") ? " * " : "") + "<!-- sample: FILE.java#NAME -->\n"
                    + "just above the block, so that the sample is compiled and cannot rot.");
        }
        Path file = snippetFile(b.file());
        if (!Files.isRegularFile(file)) {
            fail(b + ": the marker names " + b.file() + ", which does not exist (" + file + ")");
        }
        String region = regions(file).get(b.region());
        if (region == null) {
            fail(b + ": " + b.file() + " has no region '" + b.region() + "'; it has " + regions(file).keySet());
        }
        if (!region.equals(b.text())) {
            fail(b + ": the sample differs from its snippet region (- document, + snippet):\n"
                    + diff(b.text(), region)
                    + "Fix: make the document's block the region's text (the snippet compiles, so it is the one to trust),"
                    + " or change the region in " + ROOT.relativize(file) + " and copy it to " + ROOT.relativize(b.document())
                    + " line " + b.line() + ".");
        }
    }

    private static Path snippetFile(String name) {
        return name.contains("/") ? ROOT.resolve(name) : SNIPPETS.resolve(name);
    }

    /** Every code block of every README.md and of the Javadoc of every main source file. */
    static List<Block> blocks() {
        List<Block> blocks = new ArrayList<>();
        try (Stream<Path> all = Files.walk(ROOT)) {
            List<Path> files = all.filter(p -> {
                String rel = ROOT.relativize(p).toString().replace('\\', '/');
                if (rel.contains("/target/") || rel.startsWith("target/") || rel.contains("node_modules/") || rel.startsWith(".")) {
                    return false;
                }
                return p.getFileName().toString().equals("README.md") || (rel.contains("src/main/java/") && rel.endsWith(".java"));
            }).sorted().toList();
            for (Path f : files) {
                blocks.addAll(f.toString().endsWith(".md") ? markdownBlocks(f) : javadocBlocks(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return blocks;
    }

    private static List<Block> markdownBlocks(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            int start = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                text.append(lines.get(i).stripTrailing()).append('\n');
            }
            blocks.add(block(f, start, lines, text.toString()));
        }
        return blocks;
    }

    private static List<Block> javadocBlocks(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).contains("<pre>{@code")) {
                continue;
            }
            int start = i;
            List<String> code = new ArrayList<>();
            for (i++; i < lines.size() && !lines.get(i).contains("}</pre>"); i++) {
                code.add(lines.get(i).replaceFirst("^\\s*\\*", "").stripTrailing());
            }
            blocks.add(block(f, start, lines, dedent(code)));
        }
        return blocks;
    }

    private static Block block(Path f, int start, List<String> lines, String text) {
        int m = start - 1;
        while (m >= 0 && lines.get(m).replaceFirst("^\\s*\\*", "").isBlank()) {
            m--;
        }
        Matcher marker = m >= 0 ? MARKER.matcher(lines.get(m)) : null;
        return marker != null && marker.matches()
                ? new Block(f, start + 1, text, marker.group(1), marker.group(2))
                : new Block(f, start + 1, text, null, null);
    }

    /** The regions of a snippet file by name: each occurrence dedented, the occurrences joined. */
    static Map<String, String> regions(Path file) throws IOException {
        Map<String, StringBuilder> regions = new LinkedHashMap<>();
        Map<String, List<String>> open = new LinkedHashMap<>();
        int n = 0;
        for (String line : Files.readAllLines(file, UTF_8)) {
            n++;
            Matcher tag = TAG.matcher(line);
            if (tag.matches()) {
                String name = tag.group(2);
                if (tag.group(1).equals("tag")) {
                    if (open.putIfAbsent(name, new ArrayList<>()) != null) {
                        throw new IllegalStateException(file + ":" + n + ": region " + name + " opened twice");
                    }
                } else {
                    List<String> part = open.remove(name);
                    if (part == null) {
                        throw new IllegalStateException(file + ":" + n + ": end of region " + name + " that is not open");
                    }
                    regions.computeIfAbsent(name, k -> new StringBuilder()).append(dedent(part));
                }
                continue;
            }
            for (List<String> part : open.values()) {
                part.add(line.stripTrailing());
            }
        }
        if (!open.isEmpty()) {
            throw new IllegalStateException(file + ": regions not closed: " + open.keySet());
        }
        Map<String, String> result = new LinkedHashMap<>();
        regions.forEach((k, v) -> result.put(k, v.toString()));
        return result;
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder s = new StringBuilder();
        for (String l : lines) {
            s.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return s.toString();
    }

    /** A line diff (longest common subsequence): {@code -} only in {@code a}, {@code +} only in {@code b}. */
    static String diff(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        int[][] lcs = new int[x.length + 1][y.length + 1];
        for (int i = x.length - 1; i >= 0; i--) {
            for (int j = y.length - 1; j >= 0; j--) {
                lcs[i][j] = x[i].equals(y[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int j = 0;
        while (i < x.length || j < y.length) {
            if (i < x.length && j < y.length && x[i].equals(y[j])) {
                out.append("  ").append(x[i++]).append('\n');
                j++;
            } else if (i < x.length && (j == y.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
                out.append("- ").append(x[i++]).append('\n');
            } else {
                out.append("+ ").append(y[j++]).append('\n');
            }
        }
        return out.toString();
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("tok-api")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root (with mvnw and tok-api) above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    // ------------------------------------------------------------------------ running the samples

    @Test
    @DisplayName("README \"Using it\": the server serves a tcp client (connect hook, reply, queued chat) and closes")
    void readmeUsingItRuns() throws Exception {
        RootReadmeSamples samples = new RootReadmeSamples();
        Future<?> run = SAMPLE_THREADS.submit(() -> {
            samples.usingIt();
            return null;
        });
        TokServer server = running(samples.application, run);
        SocketAddress address = server.address("tcp").orElseThrow();
        try (ClientConnection alice = new FramedSocketClient().connect(address, "alice/phone/ios")) {
            alice.send("sync".getBytes(UTF_8));
            assertThat(text(alice)).isEqualTo("state of alice");
            alice.send("chat bob hello".getBytes(UTF_8));
            assertThat(text(alice)).isEqualTo("ack");
        }
        try (ClientConnection bob = new FramedSocketClient().connect(address, "bob/laptop/desktop")) {
            assertThat(text(bob)).isEqualTo("{\"type\":\"news\"}");   // sent by the sample while bob was offline
            assertThat(text(bob)).isEqualTo("hello");
        }
        samples.application.stop.countDown();
        run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(server.closeFuture().toCompletableFuture()).isDone();
    }

    @Test
    @DisplayName("README at-least-once: a message carries its id, is written again on the device's next connection until acknowledged, and a repeated client id is delivered once")
    void readmeAtLeastOnceRuns() throws Exception {
        try (TokServer server = new AtLeastOnceReadmeSamples().usage()) {
            SocketAddress address = server.address("tcp").orElseThrow();
            try (ClientConnection alice = new FramedSocketClient().connect(address, "alice/phone/ios")) {
                alice.send("c1 bob hello".getBytes(UTF_8));
                alice.send("c1 bob hello".getBytes(UTF_8)); // the same client id again: delivered once
                alice.send("c2 bob again".getBytes(UTF_8));
                long first;
                try (ClientConnection bob = new FramedSocketClient().connect(address, "bob/laptop/desktop")) {
                    String hello = text(bob);
                    assertThat(hello).endsWith(" hello");
                    first = Long.parseLong(hello.substring(0, hello.indexOf(' ')));
                    assertThat(text(bob)).isEqualTo((first + 1) + " again");
                    bob.send(("ack " + first).getBytes(UTF_8)); // "again" is not acknowledged
                }
                try (ClientConnection bob = new FramedSocketClient().connect(address, "bob/laptop/desktop")) {
                    String next = text(bob);
                    if (next.equals(first + " hello")) {
                        next = text(bob); // the ack had not been stored when the connection closed: a duplicate
                    }
                    assertThat(next).isEqualTo((first + 1) + " again"); // written again, same id
                }
            }
        }
    }

    @Test
    @DisplayName("README server.join(): a child JVM serves until SIGTERM, then the shutdown hook closes it")
    void readmeJoinRuns() throws Exception {
        // not "closed": a thread blocked in join() may run the closeFuture's actions, and the JVM does not wait for it
        runUntilSigterm("readme-join", Pattern.compile("chat server on tcp port (\\d+)"), null);
    }

    @Test
    @DisplayName("TokServer Javadoc, join(): a child JVM serves until SIGTERM")
    void tokServerJoinRuns() throws Exception {
        runUntilSigterm("tok-server-join", Pattern.compile("tcp on port (\\d+)"), null);
    }

    @Test
    @DisplayName("TokServer Javadoc: chronicle, tcp and jetty-ws start, a tcp client is served, the server closes")
    void tokServerRuns(@TempDir Path dir) throws Exception {
        ApiJavadocSamples samples = new ApiJavadocSamples();
        samples.dataDirectory = dir;
        Future<?> run = SAMPLE_THREADS.submit(() -> {
            samples.tokServer();
            return null;
        });
        TokServer server = running(samples.application, run);
        assertThat(server.listeners()).extracting(TokServer.Listener::transport).containsExactly("tcp", "jetty-ws");
        echoesOverTcp(server.address("tcp").orElseThrow());
        echoesOverWebSocket(server.port("jetty-ws"), "/ws", Map.of());
        samples.application.stop.countDown();
        run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(server.closeFuture().toCompletableFuture()).isDone();
    }

    @Test
    @DisplayName("tcp README, map settings: starts, gives its address, closes")
    void tcpReadmeMapRuns() {
        new TcpReadmeSamples().settingsMap();
    }

    @Test
    @DisplayName("TcpTransport Javadoc, typed settings: a tcp client is served")
    void tcpTypedSettingsRun() throws Exception {
        try (TokServer server = new TcpJavadocSamples().settings()) {
            echoesOverTcp(server.address("tcp").orElseThrow());
        }
    }

    @Test
    @DisplayName("netty-ws README, typed settings: a client from the allowed origin is served")
    void nettyWsTypedSettingsRun() throws Exception {
        try (TokServer server = new NettyWsReadmeSamples().settingsTyped()) {
            echoesOverWebSocket(server.port("netty-ws"), "/ws", Map.of("Origin", "https://app.example.com"));
        }
    }

    @Test
    @DisplayName("jetty-ws README, typed settings: a client from the allowed origin is served")
    void jettyTypedSettingsRun() throws Exception {
        try (TokServer server = new JettyReadmeSamples().settingsTyped()) {
            echoesOverWebSocket(server.port("jetty-ws"), "/ws", Map.of("Origin", "https://app.example.com"));
        }
    }

    @Test
    @DisplayName("jetty README, mount: tok on /chat of the application's Jetty server serves a client")
    void jettyReadmeMountRuns() throws Exception {
        JettyReadmeSamples samples = new JettyReadmeSamples();
        samples.server = new Server();
        samples.connector = connector(samples.server);
        samples.appHandler = new NotFound();
        try (TokServer tok = samples.mount()) {
            echoesOverWebSocket(samples.connector.getLocalPort(), "/chat", Map.of());
        } finally {
            samples.server.stop();
        }
    }

    @Test
    @DisplayName("JettyWebSocketMount Javadoc: tok on /chat of the application's Jetty server serves a client")
    void jettyJavadocMountRuns() throws Exception {
        JettyJavadocSamples samples = new JettyJavadocSamples();
        samples.server = new Server();
        samples.connector = connector(samples.server);
        samples.appHandler = new NotFound();
        try (TokServer tok = samples.mount()) {
            echoesOverWebSocket(samples.connector.getLocalPort(), "/chat", Map.of());
        } finally {
            samples.server.stop();
        }
    }

    private static ServerConnector connector(Server server) {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        return connector;
    }

    /** The application's own handler next to tok's: nothing here. */
    static final class NotFound extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            return false;
        }
    }

    private static TokServer running(DocFixtures.Application application, Future<?> run) throws Exception {
        CompletableFuture<TokServer> started = application.running;
        await().atMost(Duration.ofSeconds(60)).until(() -> started.isDone() || run.isDone());
        if (!started.isDone()) {
            run.get();   // the sample failed before it got to "the application": its exception
            fail("the sample returned before it ran the application");
        }
        return started.get();
    }

    private static void echoesOverTcp(SocketAddress address) throws IOException {
        try (ClientConnection c = new FramedSocketClient().connect(address, "alice/phone/ios")) {
            c.send("ping?".getBytes(UTF_8));
            assertThat(text(c)).isEqualTo("ping?");
        }
    }

    private static void echoesOverWebSocket(int port, String path, Map<String, String> headers) throws IOException {
        URI uri = URI.create("ws://127.0.0.1:" + port + path + "?token=alice/browser/web");
        JdkWebSocketClient ws = JdkWebSocketClient.connect(HttpClient.newHttpClient(), uri, headers);
        try {
            ws.send("ping?".getBytes(UTF_8));
            assertThat(text(ws)).isEqualTo("ping?");
        } finally {
            ws.close();
        }
    }

    private static String text(ClientConnection c) throws IOException {
        return new String(c.receive(WAIT).orElseThrow(() -> new AssertionError("nothing received within " + WAIT)), UTF_8);
    }

    /**
     * Runs a sample that joins its server in a child JVM, waits for the port it prints, checks a
     * tcp client is served, sends SIGTERM and expects the JVM to end (and {@code closedLine} to be
     * printed, if not null).
     */
    private static void runUntilSigterm(String sample, Pattern portLine, String closedLine) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                DocSampleMain.class.getName(), sample));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "doc-sample-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int port = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (port < 0) {
                String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    fail(sample + ": no line matching " + portLine + " within 60 s; output:\n" + String.join("\n", output));
                }
                output.add(l);
                Matcher m = portLine.matcher(l);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            echoesOverTcp(new InetSocketAddress("127.0.0.1", port));
            p.destroy();   // SIGTERM: the shutdown hook of closeOnShutdown() closes the server, join() returns
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(sample + " ended after SIGTERM").isTrue();
            reader.join(5_000);
            lines.drainTo(output);
            if (closedLine != null) {
                assertThat(output).as(sample + " output").anyMatch(l -> l.contains(closedLine));
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
