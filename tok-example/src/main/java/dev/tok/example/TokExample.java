package dev.tok.example;

import java.io.PrintStream;

/**
 * {@code java -jar tok-example.jar [options]}: starts the chat server, prints
 * {@code tok listening <transport> <host>:<port>} per listener and {@code tok ready}, and runs
 * until Ctrl-C (or SIGTERM), when a shutdown hook closes it and prints {@code tok stopped}.
 *
 * <p>Exit codes: 0 after {@code --help}, 2 for a bad command line (one line on stderr), 1 when
 * the server cannot start (one line on stderr; the log has the details).
 */
public final class TokExample {

    /** Exit code for a bad command line. */
    public static final int USAGE = 2;
    /** Exit code when the server could not start. */
    public static final int START_FAILED = 1;

    private TokExample() {
    }

    /**
     * Runs the server.
     *
     * @param args the command line, see {@code --help}
     */
    public static void main(String[] args) {
        // Chronicle: no analytics, no banner (read before any Chronicle class loads).
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        PrintStream out = System.out;
        PrintStream err = System.err;
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageException e) {
            err.println("tok-example: " + e.getMessage());
            System.exit(USAGE);
            return;
        }
        if (options.help()) {
            out.print(Options.usage());
            out.flush();
            return;
        }
        ChatServer server;
        try {
            server = ChatServer.start(options);
        } catch (RuntimeException e) {
            err.println("tok-example: cannot start: " + oneLine(e));
            org.slf4j.LoggerFactory.getLogger(TokExample.class).debug("start failed", e);
            System.exit(START_FAILED);
            return;
        }
        // printed by the thread that closes the server (the shutdown hook on Ctrl-C), before the JVM halts
        server.closeFuture().whenComplete((v, e) -> {
            out.println("tok stopped");
            out.flush();
        });
        server.closeOnShutdown();
        server.startLines().forEach(out::println);
        out.flush();
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && !m.contains(c.getMessage())) {
            m = m + ": " + c.getMessage();
        }
        return m.replace('\n', ' ').replace('\r', ' ');
    }
}
