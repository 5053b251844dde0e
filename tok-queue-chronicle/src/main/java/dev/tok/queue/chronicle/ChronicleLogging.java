package dev.tok.queue.chronicle;

import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.onoes.Slf4jExceptionHandler;

/**
 * Routes Chronicle's own reports. Chronicle already logs through SLF4J: its warnings and errors
 * (a read-only fallback, a disk running full, a dead writer's lock) stay at WARN/ERROR under the
 * {@code net.openhft} loggers; its "perf" and "startup" chatter, logged at INFO by default, is
 * moved to DEBUG so it stays out of applications' logs.
 *
 * <p>Chronicle keeps these handlers JVM-wide; loaded only after {@link ChronicleEnvironment}
 * has set its switches.
 */
final class ChronicleLogging {

    private ChronicleLogging() {
    }

    static void install() {
        Jvm.setPerfExceptionHandler(Slf4jExceptionHandler.DEBUG);
    }
}
