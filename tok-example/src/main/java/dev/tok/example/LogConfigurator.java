package dev.tok.example;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The example server's logging, set up in code (found by logback through
 * {@code META-INF/services}) instead of a {@code logback.xml}: parsing XML cost about 0.6 s of the
 * start-up. The log goes to stderr as {@code HH:mm:ss.SSS LEVEL logger - message}, so that stdout
 * carries only the server's status lines ({@code tok listening ...}, {@code tok ready},
 * {@code tok stopped}); {@code dev.tok} at INFO, everything else at WARN. With
 * {@code -Dlogback.configurationFile=FILE} logback reads that file instead.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

    /** For logback's {@code ServiceLoader}. */
    public LogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // the user's file, read by logback's own configurator
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        context.getLogger("dev.tok").setLevel(Level.INFO);
        for (String quiet : new String[] {"net.openhft", "org.eclipse.jetty", "io.netty"}) {
            context.getLogger(quiet).setLevel(Level.WARN);
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
