package dev.tok.core;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * Says once per JVM, on standard error, that tok's log goes nowhere because no SLF4J provider is
 * bound: SLF4J's own warning comes before the application's first output and is easily missed.
 * Quiet when the application chose {@code slf4j-nop} on purpose.
 */
final class LoggingCheck {

    private static final AtomicBoolean DONE = new AtomicBoolean();

    /** What is printed; one line. */
    static final String NO_PROVIDER = "tok: no SLF4J provider is bound, so tok logs nothing (not even errors); add one to the "
            + "runtime class or module path, such as ch.qos.logback:logback-classic or org.slf4j:slf4j-simple "
            + "(or org.slf4j:slf4j-nop to silence this line)";

    private LoggingCheck() {
    }

    /** Called when a hub is created; checks once. */
    static void warnOnceIfNoProvider() {
        if (DONE.compareAndSet(false, true) && noProvider()) {
            // the one place tok writes to a standard stream: there is no log to write to
            System.err.println(NO_PROVIDER);
        }
    }

    /** @return whether SLF4J fell back to its no-operation logger without slf4j-nop being chosen */
    static boolean noProvider() {
        if (!(LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory)) {
            return false;
        }
        try {
            Class.forName("org.slf4j.nop.NOPServiceProvider", false, LoggingCheck.class.getClassLoader());
            return false; // slf4j-nop: silence was chosen
        } catch (ClassNotFoundException | LinkageError e) {
            return true;
        }
    }
}
