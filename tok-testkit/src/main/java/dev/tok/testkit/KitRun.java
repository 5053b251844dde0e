package dev.tok.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * Runs chosen tests of a kit subclass through the JUnit Jupiter engine and tells which failed:
 * for proving that a kit catches a deliberately broken provider (and passes the correct one),
 * so that its tests are not tests that cannot fail. tok's own {@code KitCatchesBroken*} tests
 * use it; so can a provider's author with its own flawed variants.
 *
 * <!-- sample: TestkitJavadocSamples.java#kit-run -->
 * <pre>{@code
 * static volatile Flaw flaw; // read by the kit subclass's factory method
 *
 * flaw = Flaw.DROPS_AN_INBOUND_FRAME;
 * assertThat(KitRun.failingTests(FlawedKit.class, List.of("framesInOrderBothWays")))
 *         .containsExactly("framesInOrderBothWays");
 * }</pre>
 *
 * <p>The kit class must be concrete and must not be discovered on its own (a nested static
 * class is not, by Surefire's default).
 *
 * @since 0.1
 */
public final class KitRun {

    private KitRun() {
    }

    /**
     * Runs the named test methods of {@code kit} in the calling thread, waiting for them, and
     * returns the names of those that failed.
     *
     * @param kit a concrete subclass of a kit; not null
     * @param methods names of test methods without parameters; not null, no nulls
     * @return the names of the methods that failed; empty if all passed
     * @throws AssertionError if not every named method ran (a name that is not a test of
     *         {@code kit}, or a test that was skipped)
     */
    public static Set<String> failingTests(Class<?> kit, Collection<String> methods) {
        return outcomes(kit, methods).entrySet().stream()
                .filter(e -> e.getValue() == TestExecutionResult.Status.FAILED)
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    /**
     * Runs the named test methods of {@code kit} in the calling thread, waiting for them, and
     * returns how each ended: {@code SUCCESSFUL}, {@code FAILED}, or {@code ABORTED} (an assumption
     * did not hold, as for the transport kit's edge cases on a transport without edge limits).
     *
     * @param kit     a concrete subclass of a kit; not null
     * @param methods names of test methods without parameters; not null, no nulls
     * @return each method's name and its status
     * @throws AssertionError if not every named method ran
     * @since 0.1
     */
    public static Map<String, TestExecutionResult.Status> outcomes(Class<?> kit, Collection<String> methods) {
        Objects.requireNonNull(kit, "kit");
        Objects.requireNonNull(methods, "methods");
        List<Event> finished = EngineTestKit.engine("junit-jupiter")
                .selectors(methods.stream().map(m -> selectMethod(kit, Objects.requireNonNull(m, "method")))
                        .toArray(DiscoverySelector[]::new))
                .execute()
                .testEvents()
                .filter(e -> e.getType() == EventType.FINISHED)
                .collect(Collectors.toList());
        assertThat(finished).as("kit tests run").hasSize(methods.size());
        Map<String, TestExecutionResult.Status> outcomes = new TreeMap<>();
        for (Event e : finished) {
            outcomes.put(((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName(),
                    e.getRequiredPayload(TestExecutionResult.class).getStatus());
        }
        return outcomes;
    }
}
