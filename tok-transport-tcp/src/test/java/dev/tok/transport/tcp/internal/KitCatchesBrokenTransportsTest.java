package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.TokServer;
import dev.tok.api.spi.Settings;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.KitRun;
import dev.tok.testkit.TransportClient;
import dev.tok.testkit.TransportCompatibilityKit;
import dev.tok.testkit.TransportLimits;
import dev.tok.transport.tcp.internal.FlawedTransport.Flaw;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The transport kit's tests can fail: the tcp transport with one deliberate bug between it and
 * the hub ({@link FlawedTransport}) fails the kit tests that guard against that bug, and the
 * same wrapper without a bug passes them.
 */
class KitCatchesBrokenTransportsTest {

    /** Set before each engine run; the nested kit subclass reads it. */
    static volatile Flaw flaw;

    /** Runs the kit (not discovered by Surefire: nested). */
    static class FlawedTcpKit extends TransportCompatibilityKit {
        @Override
        protected void addTransport(TokServer.Builder builder, TransportLimits limits) {
            Map<String, String> settings = TcpTransportCompatibilityTest.settings(limits);
            builder.transport(new FlawedTransport(new TcpTransportProvider().create(Settings.of("transport 'tcp'", settings)), flaw));
        }

        @Override
        protected TransportClient client() {
            return new FramedSocketClient();
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Flaw.class)
    @DisplayName("every deliberate bug makes the kit tests that guard against it fail")
    void kitCatches(Flaw f) {
        List<String> expected = switch (f) {
            case DROPS_AN_INBOUND_FRAME -> List.of("framesInOrderBothWays");
            case ACCEPTS_REFUSED_CLIENTS -> List.of("authenticationRefused");
            case NEVER_REPORTS_CLOSE -> List.of("closeHookExactlyOnce");
            case REPORTS_WRITES_BEFORE_WRITING, HIDES_SLOW_CONSUMERS -> List.of("slowConsumer");
            case IGNORES_HUB_CLOSE -> List.of("readTimeout");
            case FLUSHES_ON_ABORT -> List.of("abortFailsPendingWritesAtOnce");
        };
        assertThat(failures(f, expected)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @DisplayName("the wrapper without a bug passes the same tests, so the failures above come from the bugs")
    void wrapperWithoutFlawPasses() {
        assertThat(failures(null, List.of("framesInOrderBothWays", "authenticationRefused", "closeHookExactlyOnce",
                "readTimeout", "slowConsumer", "abortFailsPendingWritesAtOnce", "maxPendingBytes"))).isEmpty();
    }

    private static Set<String> failures(Flaw f, List<String> methods) {
        flaw = f;
        return KitRun.failingTests(FlawedTcpKit.class, methods);
    }
}
