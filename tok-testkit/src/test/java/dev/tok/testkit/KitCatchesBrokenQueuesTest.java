package dev.tok.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Queue;
import dev.tok.testkit.ReferenceQueue.Flaw;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kits are not tests that cannot fail: run against a queue with one deliberate bug, the
 * tests named here fail (and the correct reference queue passes them all, see
 * {@link ReferenceQueueCompatibilityTest}). {@link KitRun} runs the kit.
 */
class KitCatchesBrokenQueuesTest {

    /** Set before each engine run; the nested kit subclasses read it. */
    static volatile Flaw flaw;

    /** Runs the kit (not discovered by Surefire: nested). */
    static class FlawedQueueKit extends QueueCompatibilityKit {
        @Override
        protected Queue createQueue(Map<String, String> settings) {
            return new ReferenceQueue(settings, null, flaw == null ? Set.of() : Set.of(flaw));
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(3);
        }
    }

    /** Runs the durable kit (not discovered by Surefire: nested). */
    static class FlawedDurableQueueKit extends DurableQueueCompatibilityKit {
        @Override
        protected Queue openQueue(Path directory, Map<String, String> settings) {
            return new ReferenceQueue(settings, directory, flaw == null ? Set.of() : Set.of(flaw));
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Flaw.class)
    @DisplayName("every deliberate bug makes the kit tests that guard against it fail")
    void kitCatches(Flaw f) {
        List<String> expected = switch (f) {
            case LIFO -> List.of("fifoPerUser", "peekHonoursMax");
            case DESTRUCTIVE_PEEK -> List.of("peekDoesNotRemove", "unacknowledgedKeepsPlaceAndExpiry");
            case NON_CUMULATIVE_ACK -> List.of("acknowledgeIsCumulative", "concurrentProducersAndConsumers");
            case IGNORES_EXPIRY -> List.of("expiredMessagesVanish", "expiredHeadSkipped", "expiryWithoutAccess", "enqueueAlreadyExpired");
            case COUNTS_EXPIRED -> List.of("expiredMessagesVanish", "expiredDoNotCountAgainstMaxMessages");
            case UNBOUNDED -> List.of("maxMessagesPerUser", "maxTotalBytes", "maxMessagesPerUserConcurrently",
                    "messageLargerThanMaxTotalBytes", "maxTotalBytesConcurrently");
            case IDS_RESTART_WHEN_EMPTY -> List.of("idsIncreaseAfterEmptying");
            case COPIES_PAYLOAD_TRUNCATED -> List.of("payloadRoundTrip");
            case FORGETS_ACKS_ON_REOPEN -> List.of("acknowledgedStayGone", "repeatedReopenCycles");
            case SECOND_PRECISION_EXPIRY -> List.of("messagesSurviveReopen");
            case RETURNS_NEXT_ID -> List.of("enqueueReturnsIncreasingIds", "readAfterIdReturnsLaterMessagesInOrder",
                    "concurrentEnqueuesReturnDistinctIncreasingIds");
            case READ_INCLUDES_AFTER_ID -> List.of("readAfterIdReturnsLaterMessagesInOrder", "readSkipsExpiredMessages",
                    "cursorsPerDevice", "newDeviceCursorIsZeroAndHoldsMessages", "acknowledgeRacingEnqueueKeepsUnacknowledged");
            case FORGETS_CURSORS_WHEN_EMPTY -> List.of("cursorsOutliveEmptyQueue");
            case CURSOR_MOVES_BACKWARD -> List.of("cursorNeverMovesBackward");
            case TRIMS_TO_ACKNOWLEDGING_DEVICE -> List.of("newDeviceCursorIsZeroAndHoldsMessages", "cursorsPerDevice",
                    "acknowledgeRegistersUnknownDevice", "cursorsOutliveEmptyQueue", "retentionBound");
            case IGNORES_UNKNOWN_DEVICE_ACK -> List.of("acknowledgeRegistersUnknownDevice");
            case TRIMS_WITH_STALE_MIN -> List.of("acknowledgeRacingEnqueueKeepsUnacknowledged");
            case FORGETS_CURSORS_ON_REOPEN -> List.of("cursorsSurviveReopen", "registeredDevicePinsAcrossReopen",
                    "cursorsOfEmptyUserSurviveReopen", "manyCursorsAcrossReopenCycles");
        };
        Class<?> kit = f == Flaw.FORGETS_ACKS_ON_REOPEN || f == Flaw.SECOND_PRECISION_EXPIRY
                || f == Flaw.FORGETS_CURSORS_ON_REOPEN ? FlawedDurableQueueKit.class : FlawedQueueKit.class;
        Set<String> failed = failures(f, kit, expected);
        // the stale minimum is a race the stress provokes in most runs, not every one (one miss in
        // about twenty runs on a loaded 2-core machine): caught when any of five runs catches it
        for (int attempt = 1; f == Flaw.TRIMS_WITH_STALE_MIN && failed.isEmpty() && attempt < 5; attempt++) {
            failed = failures(f, kit, expected);
        }
        assertThat(failed).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @DisplayName("ids restarting after reopen are caught by the durable kit")
    void durableKitCatchesIdRestart() {
        List<String> expected = List.of("idsIncreaseAcrossReopen");
        assertThat(failures(Flaw.IDS_RESTART_WHEN_EMPTY, FlawedDurableQueueKit.class, expected)).isEqualTo(Set.copyOf(expected));
    }

    @Test
    @DisplayName("the reference queue passes the same selection, so the failures above come from the flaws")
    void referencePasses() {
        List<String> all = List.of("fifoPerUser", "peekDoesNotRemove", "acknowledgeIsCumulative", "expiredMessagesVanish",
                "maxMessagesPerUser", "maxTotalBytes", "idsIncreaseAfterEmptying", "payloadRoundTrip",
                "enqueueReturnsIncreasingIds", "readAfterIdReturnsLaterMessagesInOrder", "cursorsPerDevice",
                "cursorsOutliveEmptyQueue", "acknowledgeRegistersUnknownDevice", "acknowledgeRacingEnqueueKeepsUnacknowledged");
        assertThat(failures(null, FlawedQueueKit.class, all)).isEmpty();
        assertThat(failures(null, FlawedDurableQueueKit.class, List.of("acknowledgedStayGone", "messagesSurviveReopen",
                "idsIncreaseAcrossReopen", "cursorsSurviveReopen", "registeredDevicePinsAcrossReopen",
                "cursorsOfEmptyUserSurviveReopen", "manyCursorsAcrossReopenCycles", "returnedIdsIncreaseAcrossReopen")))
                .isEmpty();
    }

    private static Set<String> failures(Flaw f, Class<?> kit, List<String> methods) {
        flaw = f;
        return KitRun.failingTests(kit, methods);
    }
}
