package dev.tok.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test, started as a child JVM: the baseline, the hub-backed benchmark server,
 * or the example server's jar. Reads {@code ... listening <transport> <host>:<port>} lines up to
 * {@code ... ready} from its standard output; everything it prints goes to a log file.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening (\\S+) (\\S+):(\\d+)");
    /** What Chronicle needs on JDK 17 (see shared/chronicle-notes.md); harmless for the others. */
    static final List<String> CHRONICLE_FLAGS = List.of("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true", "-Dchronicle.announcer.disable=true");

    private final Process process;
    private final Path dataDir;
    private final Map<String, InetSocketAddress> listeners = new HashMap<>();

    private ServerProcess(Process process, Path dataDir) {
        this.process = process;
        this.dataDir = dataDir;
    }

    /**
     * Starts a server and waits until it printed its ready line.
     *
     * @param target     what to start
     * @param options    the load tool's options (JVM flags, example jar, data directory)
     * @param log        where its output goes
     * @return the started server
     */
    static ServerProcess start(Target target, LoadOptions options, Path log) throws IOException, InterruptedException {
        return start(target, options, log, List.of());
    }

    /**
     * Starts a server with more arguments (a cluster node's {@code --redis-uri} and {@code --node-id})
     * and waits until it printed its ready line.
     */
    static ServerProcess start(Target target, LoadOptions options, Path log, List<String> extraArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the JVM raises its soft limit of open files to the hard limit (Linux; on by default, made explicit)
        cmd.add("-XX:+MaxFDLimit");
        cmd.addAll(options.serverJvmArgs);
        if (options.serverJfr != null) {
            // after --server-jvm-args; the example jar is started with -jar, so the same flags apply to it
            Files.createDirectories(options.serverJfr);
            cmd.add(jfrFlag(options.serverJfr, log));
        }
        if (target.queue().equals("chronicle")) {
            cmd.addAll(CHRONICLE_FLAGS);
        }
        Path data = Files.createTempDirectory("tok-bench-data");
        switch (target.server()) {
            case "baseline":
                if (!target.transport().equals("tcp") && !target.transport().equals("ws")) {
                    throw new IllegalArgumentException("the baseline's transports are tcp and ws (WebSocket on Netty), was " + target);
                }
                cmd.addAll(List.of("-cp", classPath(), "dev.tok.benchmarks.baseline.BaselineServer",
                        "--host", "127.0.0.1", "--port", "0", "--transport", target.transport()));
                break;
            case "hub":
            case "hub-pool":
            case "hub-direct":
            case "hub-fj":
                // hub: the actor declared non-blocking (the hub's default executor then is the I/O thread)
                cmd.addAll(List.of("-cp", classPath(), "dev.tok.benchmarks.server.HubChatServer",
                        "--host", "127.0.0.1", "--port", "0", "--queue", target.queue(), "--data-dir", data.toString(),
                        "--actor", target.server().equals("hub") ? "nonblocking" : target.server().substring(4)));
                break;
            case "cluster1":
            case "cluster2":
                cmd.addAll(List.of("-cp", classPath(), "dev.tok.benchmarks.server.HubChatServer",
                        "--host", "127.0.0.1", "--port", "0", "--queue", target.queue(), "--data-dir", data.toString(),
                        "--actor", "pool", "--cluster", "redis"));
                break;
            case "example":
                if (options.exampleJar == null) {
                    throw new IllegalArgumentException("target " + target + " needs --example-jar tok-example/target/tok-example.jar");
                }
                cmd.addAll(List.of("-jar", options.exampleJar.toString(), "--host", "127.0.0.1", "--tcp-port", "0",
                        "--ws-port", "0", "--netty-ws-port", "0", "--queue", target.queue(), "--data-dir", data.toString(),
                        "--delivery", target.delivery()));
                break;
            default:
                throw new IllegalArgumentException("unknown server '" + target.server() + "'; known: baseline, hub, hub-pool, hub-direct, hub-fj, example");
        }
        cmd.addAll(extraArgs);
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.directory(data.toFile());
        Process p = pb.start();
        ServerProcess sp = new ServerProcess(p, data);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    var out = Files.newBufferedWriter(log)) {
                out.write(String.join(" ", cmd));
                out.newLine();
                String line;
                while ((line = r.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    Matcher m = LISTENING.matcher(line);
                    if (!ready.isDone() && m.find()) {
                        synchronized (sp.listeners) {
                            sp.listeners.put(m.group(1), new InetSocketAddress(m.group(2), Integer.parseInt(m.group(3))));
                        }
                    }
                    if (line.trim().endsWith(" ready")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IOException("server exited before it was ready; see " + log));
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            sp.close();
            throw new IOException("server " + target + " did not start: " + e.getMessage() + "; see " + log, e);
        }
        return sp;
    }

    /**
     * The flag that makes a server JVM record JFR with the {@code profile} settings into {@code dir},
     * in a file named like its log ({@code <scenario>-<target>-run<N>.jfr}, ':' of the target as
     * '_'), written when the server exits (the tool stops it with SIGTERM).
     */
    static String jfrFlag(Path dir, Path log) {
        String name = log.getFileName().toString().replaceFirst("\\.log$", "") + ".jfr";
        return "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + dir.toAbsolutePath().resolve(name);
    }

    /** The tool's own class path with absolute entries: the server runs in a temporary working directory. */
    private static String classPath() {
        StringBuilder sb = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (sb.length() > 0) {
                sb.append(java.io.File.pathSeparator);
            }
            sb.append(Path.of(e).toAbsolutePath());
        }
        return sb.toString();
    }

    /** @return the process id, for /proc and jcmd */
    long pid() {
        return process.pid();
    }

    /**
     * @param transport a transport name
     * @return where it listens
     */
    InetSocketAddress address(String transport) {
        synchronized (listeners) {
            InetSocketAddress a = listeners.get(transport);
            if (a == null) {
                throw new IllegalArgumentException("the server has no '" + transport + "' listener; it has " + listeners.keySet());
            }
            return a;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // the server's working directory and queue data (Chronicle files) go with it
        try (java.util.stream.Stream<Path> files = Files.walk(dataDir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
