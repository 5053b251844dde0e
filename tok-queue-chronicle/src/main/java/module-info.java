/**
 * The {@code chronicle} queue: tok's durable offline queue on Chronicle Queue. Exports nothing;
 * applications select it by name ({@code chronicle}) and configure it with settings.
 *
 * <p>Chronicle's jars carry no module descriptors: {@code chronicle.core} and
 * {@code chronicle.bytes} take their names from {@code Automatic-Module-Name}, while
 * {@code chronicle.queue} and {@code chronicle.wire} take theirs from the jar file names, which
 * Maven and Gradle keep as published. Requiring them here (rather than shipping an automatic
 * module) means that on the module path the JDK modules Chronicle needs ({@code jdk.unsupported},
 * {@code java.management}) and SLF4J are resolved without extra {@code --add-modules} flags.
 * Chronicle still needs JVM flags that open JDK internals to {@code chronicle.core} (on the class
 * path: to {@code ALL-UNNAMED}); see the module README.
 *
 * @provides dev.tok.api.spi.QueueProvider the {@code chronicle} queue
 */
module dev.tok.queue.chronicle {
    requires dev.tok.api;
    requires org.slf4j;
    requires chronicle.core;
    requires chronicle.bytes;
    requires chronicle.wire;   // file-name-based module name (chronicle-wire has no Automatic-Module-Name)
    requires chronicle.queue;  // file-name-based module name (chronicle-queue has no Automatic-Module-Name)
    requires jdk.unsupported;  // sun.misc.Unsafe, used throughout Chronicle
    requires java.management;  // chronicle-core reads the JVM's arguments at start-up

    provides dev.tok.api.spi.QueueProvider with dev.tok.queue.chronicle.ChronicleQueueProvider;
}
