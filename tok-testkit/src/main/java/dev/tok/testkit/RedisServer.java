package dev.tok.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process for tests: started on a free loopback port with its own
 * directory, ready once it answers {@code PING}, stopped gracefully or killed, and restarted on
 * the same port and directory (so an append-only file is read again). Never a mock.
 *
 * <!-- sample: TestkitJavadocSamples.java#redis-server -->
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start(directory, RedisServer.Persistence.APPEND_ONLY)) {
 *     String uri = redis.uri();   // redis://127.0.0.1:PORT/0
 *     redis.kill();               // SIGKILL: what was not fsynced is lost
 *     redis.restart();            // same port and directory: the append-only file is read again
 * }
 * }</pre>
 *
 * <p>The executable is {@code redis-server} on the {@code PATH} (system property
 * {@code tok.redis-server} overrides it). When it is missing, {@link #start} throws an
 * {@link AssertionError} with the line that installs it, so a test fails instead of being
 * skipped. The server's output goes to {@code redis.log} in its directory; every failure message
 * carries its last lines. Readiness is checked with a plain socket ({@code PING} → {@code +PONG}),
 * so the kit needs no Redis client.
 *
 * <p>Not thread-safe: one test drives one server.
 *
 * @since 0.1
 */
public final class RedisServer implements AutoCloseable {

    /** The line that installs the server on Debian and Ubuntu; part of the missing-binary error. */
    public static final String INSTALL_LINE = "sudo apt-get install -y redis-server";

    /** How long {@link #start} and {@link #restart} wait for {@code PING} to answer. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    /** What the server keeps on disk. */
    public enum Persistence {
        /** Nothing: a restart starts empty ({@code --save "" --appendonly no}). */
        NONE,
        /**
         * An append-only file fsynced every second, read again on restart ({@code --appendonly
         * yes}); a graceful {@link #stop()} flushes it completely.
         */
        APPEND_ONLY
    }

    private final String executable;
    private final Path directory;
    private final Persistence persistence;
    private final List<String> extraArgs;
    private final int port;
    private Process process;

    private RedisServer(String executable, Path directory, Persistence persistence, List<String> extraArgs, int port) {
        this.executable = executable;
        this.directory = directory;
        this.persistence = persistence;
        this.extraArgs = extraArgs;
        this.port = port;
    }

    /**
     * Starts a server on a free loopback port and waits until it answers {@code PING}.
     *
     * @param directory   an existing directory the server owns (working directory, append-only file, log)
     * @param persistence what it keeps on disk
     * @param extraArgs   more {@code redis-server} arguments, such as {@code "--maxmemory", "1mb"}; with
     *                    {@code "--requirepass", "pw"} readiness is a {@code NOAUTH} answer, and
     *                    {@link #command} gets {@code -NOAUTH} replies
     * @return the running server
     * @throws AssertionError when {@code redis-server} is not installed (the message says how to
     *                        install it) or does not become ready (the message has its log)
     */
    public static RedisServer start(Path directory, Persistence persistence, String... extraArgs) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(persistence, "persistence");
        String executable = executable();
        AssertionError last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            // the port is free now; another process may take it before redis-server binds: retry
            RedisServer server = new RedisServer(executable, directory, persistence, List.of(extraArgs), freePort());
            try {
                server.launch();
                return server;
            } catch (PortTaken e) {
                server.kill();
                last = e;
            }
        }
        throw last;
    }

    /** @return the port the server listens on (127.0.0.1), the same after a restart */
    public int port() {
        return port;
    }

    /** @return the server's directory */
    public Path directory() {
        return directory;
    }

    /** @return {@code redis://127.0.0.1:PORT/0} */
    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** @return whether the process is alive */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Sends one inline command over a fresh socket and returns the reply: a status, error or
     * integer reply as its line ({@code +PONG}, {@code -ERR ...}, {@code :42}), a bulk string as
     * its content (such as the text of {@code INFO} or {@code CLUSTER INFO}); for an array, only
     * its first line ({@code *3}). For tests that look at the server without a client library.
     *
     * @param command an inline command, such as {@code DBSIZE}
     * @return the reply as described, without the protocol's CRLF
     * @throws UncheckedIOException when the server does not answer
     */
    public String command(String command) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String line = readLine(in);
            if (line.startsWith("$") && !line.equals("$-1")) {
                byte[] bulk = in.readNBytes(Integer.parseInt(line.substring(1)));
                return new String(bulk, StandardCharsets.UTF_8);
            }
            return line;
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException("redis-server on port " + port + " did not answer " + command,
                    e instanceof IOException ? (IOException) e : new IOException(e));
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /**
     * Stops the server gracefully (SIGTERM: it flushes its append-only file) and waits for it.
     * Does nothing when it is not running.
     */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        awaitExit();
    }

    /** Kills the server (SIGKILL): what was not yet fsynced is lost. Does nothing when not running. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit();
    }

    /**
     * Starts the server again on the same port and directory (after {@link #stop} or
     * {@link #kill}; stops it first if it still runs) and waits until it answers {@code PING}.
     *
     * @throws AssertionError when it does not become ready; the message has its log
     */
    public void restart() {
        stop();
        launch();
    }

    /** @return the server's output so far ({@code redis.log} in its directory), or a note why there is none */
    public String log() {
        try {
            Path log = logFile();
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log at " + log + ")";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops the server (gracefully). Idempotent. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + ", " + persistence + ", " + directory + (isRunning() ? ", running" : ", stopped") + "]";
    }

    // ---------------------------------------------------------------- internals

    private Path logFile() {
        return directory.resolve("redis.log");
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(List.of(executable,
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--dir", directory.toAbsolutePath().toString(),
                "--save", "",
                "--appendonly", persistence == Persistence.APPEND_ONLY ? "yes" : "no",
                "--daemonize", "no",
                "--logfile", ""));
        cmd.addAll(extraArgs);
        try {
            process = new ProcessBuilder(cmd).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("could not start " + String.join(" ", cmd) + ": " + e, e);
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String message = "redis-server exited with " + process.exitValue() + " before answering PING on port "
                        + port + "; command: " + String.join(" ", cmd) + "\n--- " + logFile() + " ---\n" + tail();
                throw tail().contains("Address already in use") ? new PortTaken(message) : new AssertionError(message);
            }
            try {
                String pong = command("PING");
                // a server with requirepass answers NOAUTH: it is up all the same
                if (pong.equals("+PONG") || pong.startsWith("-NOAUTH")) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet, or still loading its data
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for redis-server", e);
            }
        }
        throw new AssertionError("redis-server did not answer PING on port " + port + " within " + READY_TIMEOUT
                + "\n--- " + logFile() + " ---\n" + tail());
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private String tail() {
        String log = log();
        String[] lines = log.split("\n");
        int from = Math.max(0, lines.length - 30);
        return String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length));
    }

    private static String executable() {
        String configured = System.getProperty("tok.redis-server");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return onPath("redis-server");
    }

    /**
     * Finds a program of the {@code redis-server} package ({@code redis-server}, {@code redis-cli}) on the PATH.
     *
     * @throws AssertionError with the install line when it is missing
     */
    static String onPath(String program) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                    return Path.of(dir, program).toString();
                }
            }
        }
        throw new AssertionError(program + " is not installed (not on the PATH: " + path + "); the Redis tests need a real "
                + "server. Install it with: " + INSTALL_LINE + " (./test does this when it runs as root or with sudo)");
    }

    /** redis-server could not bind its port: another process took it after {@link #freePort()} found it free. */
    private static final class PortTaken extends AssertionError {
        private static final long serialVersionUID = 1L;

        PortTaken(String message) {
            super(message);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
