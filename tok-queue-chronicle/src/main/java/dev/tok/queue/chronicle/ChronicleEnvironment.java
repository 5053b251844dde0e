package dev.tok.queue.chronicle;

import dev.tok.api.ConfigurationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that must happen before the first Chronicle class loads, and the JVM flag probe.
 *
 * <p>This class references no Chronicle type: it only sets system properties and inspects
 * modules. Chronicle reads the switches in static initialisers, so they are set before the first
 * queue is built and have no effect if the application loaded Chronicle itself earlier.
 */
final class ChronicleEnvironment {

    /** Chronicle's analytics switch: never phone home (the analytics jar is excluded as well). */
    static final String ANALYTICS = "chronicle.analytics.disable";
    /** Chronicle's start-up banner switch. */
    static final String ANNOUNCER = "chronicle.announcer.disable";
    /**
     * chronicle-core loads the properties file named by this property into the system
     * properties; unset, it picks up any {@code system.properties} in the working directory.
     */
    static final String SYSTEM_PROPERTIES = "system.properties";
    /** Ours, in the jar outside any package (so it is readable on the module path too). */
    static final String OUR_SYSTEM_PROPERTIES = "META-INF/tok-queue-chronicle/system.properties";

    /** The class whose module performs Chronicle's deep reflection. */
    static final String CHRONICLE_CORE_CLASS = "net.openhft.chronicle.core.Jvm";

    private static volatile boolean prepared;

    private ChronicleEnvironment() {
    }

    /**
     * Sets the privacy and noise switches, checks the JVM flags, and routes Chronicle's logging.
     *
     * @throws ConfigurationException naming every missing JVM flag
     */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        System.setProperty(ANALYTICS, "true");
        if (System.getProperty(ANNOUNCER) == null) {
            System.setProperty(ANNOUNCER, "true");
        }
        if (System.getProperty(SYSTEM_PROPERTIES) == null) {
            System.setProperty(SYSTEM_PROPERTIES, OUR_SYSTEM_PROPERTIES);
        }
        List<String> missing = missingFlags(chronicleModule());
        if (!missing.isEmpty()) {
            throw new ConfigurationException(missingFlagsMessage(missing));
        }
        ChronicleLogging.install();
        prepared = true;
    }

    /** @return the module Chronicle's core classes live in (unnamed on the class path), without initialising them */
    static Module chronicleModule() {
        try {
            return Class.forName(CHRONICLE_CORE_CLASS, false, ChronicleEnvironment.class.getClassLoader()).getModule();
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigurationException("queue 'chronicle' cannot find Chronicle Queue (" + CHRONICLE_CORE_CLASS
                    + "); add the net.openhft:chronicle-queue dependency that dev.tok:tok-queue-chronicle declares", e);
        }
    }

    /**
     * @param target the module that needs access
     * @return the flags that this JVM was started without, each as it must be written
     */
    static List<String> missingFlags(Module target) {
        String who = target.isNamed() ? target.getName() : "ALL-UNNAMED";
        Module base = Object.class.getModule();
        List<String> missing = new ArrayList<>();
        ModuleLayer layer = target.getLayer() != null ? target.getLayer() : ModuleLayer.boot();
        List<String> absentModules = new ArrayList<>();
        for (String m : List.of("jdk.unsupported", "java.management")) {
            if (layer.findModule(m).isEmpty() && ModuleLayer.boot().findModule(m).isEmpty()) {
                absentModules.add(m);
            }
        }
        if (!absentModules.isEmpty()) {
            missing.add("--add-modules " + String.join(",", absentModules));
        }
        if (!base.isExported("sun.nio.ch", target)) {
            missing.add("--add-exports=java.base/sun.nio.ch=" + who);
        }
        if (!base.isOpen("java.lang.reflect", target)) {
            missing.add("--add-opens=java.base/java.lang.reflect=" + who);
        }
        if (!base.isExported("jdk.internal.ref", target)) {
            missing.add("--add-exports=java.base/jdk.internal.ref=" + who);
        }
        if ("deny".equals(System.getProperty("sun.misc.unsafe.memory.access"))) {
            missing.add("--sun-misc-unsafe-memory-access=allow");
        }
        return missing;
    }

    static String missingFlagsMessage(List<String> missing) {
        return "queue 'chronicle' needs the JVM flag" + (missing.size() == 1 ? " " : "s ") + String.join(" ", missing)
                + " (Chronicle Queue maps its files through JDK internals; without them it silently falls back to"
                + " read-only). Add them to the java command line, or as Add-Exports/Add-Opens attributes of an"
                + " executable jar's manifest; see the tok-queue-chronicle README for the full list per JDK";
    }
}
