package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The example server as a child JVM started exactly as the README says: {@code java -jar
 * tok-example.jar [options]}, with no JVM flags. Reads its stdout lines; its stderr goes to a file.
 */
final class ServerProcess implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("tok.example.jar", "target/tok-example.jar"));
    private static final Pattern LISTENING = Pattern.compile("tok listening (\\S+) (\\S+):(\\d+)");
    private static final long PATIENCE_SECONDS = 60;

    final Process process;
    final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Map<String, InetSocketAddress> listeners = new HashMap<>();
    private final List<String> startLines = new ArrayList<>();
    private final Thread reader;
    /** From the start line {@code tok node <id>}; null without a cluster. */
    String nodeId;

    private ServerProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "server-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs {@code java -jar tok-example.jar args} and does not wait for anything. */
    static ServerProcess launch(Path logDir, String name, String... args) {
        assertThat(JAR).as("the executable jar (built by `package`)").isRegularFile();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        try {
            Files.createDirectories(logDir);
            Path err = logDir.resolve(name + ".stderr.log");
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            return new ServerProcess(p, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the server and waits for {@code tok ready}, reading the listener lines before it. */
    static ServerProcess start(Path logDir, String name, String... args) {
        ServerProcess s = launch(logDir, name, args);
        while (true) {
            String line = s.nextLine();
            s.startLines.add(line);
            if (line.equals("tok ready")) {
                return s;
            }
            if (line.startsWith("tok node ")) {
                s.nodeId = line.substring("tok node ".length());
                continue;
            }
            Matcher m = LISTENING.matcher(line);
            assertThat(m.matches()).as("a start line: %s", line).isTrue();
            s.listeners.put(m.group(1), new InetSocketAddress(m.group(2), Integer.parseInt(m.group(3))));
        }
    }

    /** @return the next stdout line; fails if none comes within a minute, or at once when the process ended */
    String nextLine() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        try {
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    return line;
                }
                if (!process.isAlive() && !reader.isAlive() && lines.isEmpty()) {
                    throw new AssertionError("the server ended (exit code " + process.exitValue() + ") without printing more; "
                            + "stderr: " + stderrText());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        throw new AssertionError("no line from the server within " + PATIENCE_SECONDS + " s; stderr: " + stderrText());
    }

    List<String> startLines() {
        return startLines;
    }

    InetSocketAddress address(String transport) {
        InetSocketAddress a = listeners.get(transport);
        assertThat(a).as("listener %s in %s", transport, startLines).isNotNull();
        return a;
    }

    ChatClient connect(String transport, String token) {
        switch (transport) {
            case "tcp":
                return TcpChatClient.connect(address("tcp"), token);
            default:
                return WsChatClient.connect(transport, address(transport), token);
        }
    }

    /** Sends SIGINT, as Ctrl-C in a terminal does. */
    void interrupt() throws IOException, InterruptedException {
        signal("-INT");
    }

    /**
     * Sends SIGTERM, as a service manager does. Not {@code Process.destroy()}: that also closes
     * our ends of the server's pipes, so what the server prints while stopping would be lost.
     */
    void terminate() throws IOException, InterruptedException {
        signal("-TERM");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    /** @return the exit code; fails if the process does not end within a minute */
    int awaitExit() throws InterruptedException {
        assertThat(process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)).as("the server process ended; stderr: %s", stderrText())
                .isTrue();
        // the process is gone, but its last lines may still be in the pipe: read to the end
        reader.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
        assertThat(reader.isAlive()).as("stdout of the ended server read to its end").isFalse();
        return process.exitValue();
    }

    /** @return stdout lines that arrived and were not read yet */
    List<String> remainingLines() {
        List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        return rest;
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
