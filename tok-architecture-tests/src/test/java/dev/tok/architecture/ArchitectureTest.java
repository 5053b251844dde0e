package dev.tok.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The module edges of tok, checked on the production classes of every module (tests excluded).
 * A violation fails {@code mvn verify}.
 */
class ArchitectureTest {

    /** Every production package that must be on this module's test path: a rule can't pass on an empty scan. */
    static List<String> modulePackages() {
        return List.of(ModuleLayout.PACKAGES);
    }

    private static JavaClasses tok;

    @BeforeAll
    static void importClasses() {
        tok = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/tok-architecture-tests/"))
                .importPackages("dev.tok");
    }

    @ParameterizedTest
    @MethodSource("modulePackages")
    void everyModuleWasImported(String pkg) {
        assertThat(tok.stream().map(JavaClass::getPackageName).anyMatch(p -> p.equals(pkg) || p.startsWith(pkg + ".")))
                .as("classes of %s imported", pkg).isTrue();
    }

    @Test
    void apiDependsOnlyOnTheJdk() {
        classes().that().resideInAPackage("dev.tok.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.tok.api..", "java..")
                .check(tok);
    }

    @Test
    void coreDependsOnlyOnTheApiAndLogging() {
        classes().that().resideInAPackage("dev.tok.core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.tok.core..", "dev.tok.api..", "java..", "org.slf4j..")
                .check(tok);
    }

    @Test
    void providersNeverDependOnCore() {
        noClasses().that().resideInAnyPackage("dev.tok.transport..", "dev.tok.queue..", "dev.tok.cluster..", "dev.tok.testkit..",
                        "dev.tok.metrics..", "dev.tok.tracing..", ModuleLayout.SPRING_STARTER + "..")
                .should().dependOnClassesThat().resideInAPackage("dev.tok.core..")
                .check(tok);
    }

    @Test
    void nothingDependsOnATransportOrQueueModuleButItself() {
        for (String provider : ModuleLayout.PROVIDER_PACKAGES) {
            noClasses().that().resideOutsideOfPackage(provider + "..")
                    .should().dependOnClassesThat().resideInAPackage(provider + "..")
                    .as("nothing outside " + provider + " depends on it")
                    .check(tok);
        }
    }

    @Test
    void providersUseNoTokClassesButTheApiAndTheirOwn() {
        for (String provider : ModuleLayout.PROVIDER_PACKAGES) {
            boolean builtInTransport = ModuleLayout.BUILT_IN_TRANSPORTS.contains(provider);
            noClasses().that().resideInAPackage(provider + "..")
                    .should().dependOnClassesThat(DescribedPredicate.describe("tok classes outside " + provider + " and the API"
                            + (builtInTransport ? " and " + ModuleLayout.TRANSPORT_SUPPORT : ""),
                            (JavaClass c) -> c.getPackageName().startsWith("dev.tok.")
                                    && !c.getPackageName().startsWith(provider)
                                    && !c.getPackageName().startsWith("dev.tok.api")
                                    && !(builtInTransport && c.getPackageName().startsWith(ModuleLayout.TRANSPORT_SUPPORT))))
                    .check(tok);
        }
    }

    @Test
    void singleLibraryModulesDependOnlyOnTheApiAndTheirOwnLibrary() {
        // tok-metrics-micrometer sees the hub through HubObserver (tok-api) only, tok-tracing-otel
        // through HubTracer: never tok-core, a transport or a queue; their one library is
        // Micrometer and OpenTelemetry's API. tok-queue-redis and tok-cluster-redis talk to Redis through Lettuce only.
        ModuleLayout.singleLibraryModules().forEach((module, library) -> classes().that().resideInAPackage(module + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(module + "..", "dev.tok.api..", "java..", library + "..")
                .as(module + " depends on tok-api, " + library + " and the JDK only")
                .check(tok));
    }

    @Test
    void onlyTheSpringBootStarterUsesSpring() {
        // tok-api, tok-core, the transports, queues and metrics never see Spring (the enforcer bans
        // it from their dependencies as well)
        noClasses().that().resideOutsideOfPackage(ModuleLayout.SPRING_STARTER + "..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..")
                .as("only " + ModuleLayout.SPRING_STARTER + " uses Spring")
                .check(tok);
    }

    @Test
    void theSpringBootStarterUsesTheApiSpringAndOptionallyTheMeters() {
        // the hub through tok-api (tok-core is only a runtime dependency, found by ServiceLoader);
        // never a transport or queue module; Micrometer and TokMetrics only in its optional part
        classes().that().resideInAPackage(ModuleLayout.SPRING_STARTER + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(ModuleLayout.SPRING_STARTER + "..", "dev.tok.api..",
                        "dev.tok.metrics.micrometer..", "java..", "org.springframework..", "io.micrometer..", "org.slf4j..")
                .as(ModuleLayout.SPRING_STARTER + " depends on tok-api, Spring, SLF4J, the JDK and (optionally) tok-metrics-micrometer only")
                .check(tok);
    }

    @Test
    void onlyTheBuiltInTransportsUseTheTransportSupport() {
        String[] allowed = new String[ModuleLayout.BUILT_IN_TRANSPORTS.size() + 1];
        allowed[0] = ModuleLayout.TRANSPORT_SUPPORT + "..";
        for (int i = 0; i < ModuleLayout.BUILT_IN_TRANSPORTS.size(); i++) {
            allowed[i + 1] = ModuleLayout.BUILT_IN_TRANSPORTS.get(i) + "..";
        }
        noClasses().that().resideOutsideOfPackages(allowed)
                .should().dependOnClassesThat().resideInAPackage(ModuleLayout.TRANSPORT_SUPPORT + "..")
                .as("only the built-in transports (" + ModuleLayout.BUILT_IN_TRANSPORTS + ") use "
                        + ModuleLayout.TRANSPORT_SUPPORT)
                .check(tok);
    }

    @Test
    void theTransportSupportDependsOnlyOnTheApiAndTheJdk() {
        // the Netty transports' shared code, in its own package, may use Netty as well
        classes().that().resideInAPackage(ModuleLayout.TRANSPORT_SUPPORT + "..")
                .and().resideOutsideOfPackage(ModuleLayout.TRANSPORT_SUPPORT_NETTY)
                .should().onlyDependOnClassesThat().resideInAnyPackage(ModuleLayout.TRANSPORT_SUPPORT + "..", "dev.tok.api..",
                        "java..", "javax..")
                .check(tok);
        classes().that().resideInAPackage(ModuleLayout.TRANSPORT_SUPPORT_NETTY)
                .should().onlyDependOnClassesThat().resideInAnyPackage(ModuleLayout.TRANSPORT_SUPPORT + "..", "dev.tok.api..",
                        "java..", "javax..", "io.netty..")
                .check(tok);
        noClasses().that().resideInAPackage(ModuleLayout.TRANSPORT_SUPPORT_NETTY)
                .should().dependOnClassesThat().resideInAPackage("dev.tok.transport.jetty..")
                .check(tok);
    }

    @Test
    void typedTransportSettingsExposeOnlyTheJdkAndTok() {
        // TcpTransport.settings() and the like are what applications compile against: no Netty or
        // Jetty type may appear in them, nor may they reach into anything but tok and the JDK.
        classes().that(DescribedPredicate.describe("typed settings " + ModuleLayout.SETTINGS_CLASSES,
                        (JavaClass c) -> ModuleLayout.SETTINGS_CLASSES.stream()
                                .anyMatch(n -> c.getName().equals(n) || c.getName().startsWith(n + "$"))))
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tok..")
                .check(tok);
    }

    @Test
    void noPackageCycles() {
        // Modules (dev.tok.transport.tcp, dev.tok.queue.memory, ...) must not form cycles; the API's
        // two packages (user API and SPI) refer to each other by design and count as one.
        slices().assignedFrom(ModuleLayout.MODULE_SLICES).should().beFreeOfCycles().check(tok);
    }

    @Test
    void noJavaUtilLogging() {
        GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING.check(tok);
    }

    @Test
    void noStandardStreams() {
        GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(tok.that(
                DescribedPredicate.describe("outside tools with a command line",
                        (JavaClass c) -> !ModuleLayout.COMMAND_LINE_PACKAGES.contains(c.getPackageName())
                                // says on stderr that no SLF4J provider is bound: there is no log to say it in
                                && !c.getName().equals("dev.tok.core.LoggingCheck"))));
    }

    @Test
    void noGenericExceptions() {
        GeneralCodingRules.NO_CLASSES_SHOULD_THROW_GENERIC_EXCEPTIONS.check(tok);
    }
}
