package dev.tok.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.CloseReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link ConAdapter#write(byte[], WriteListener)}'s default, for transports that only return stages. */
class DefaultListenerWriteTest {

    /** An adapter whose stage-returning write answers what the test supplies. */
    private static final class StageAdapter implements ConAdapter {
        private final Supplier<CompletionStage<Void>> answer;
        final List<byte[]> written = new ArrayList<>();

        StageAdapter(Supplier<CompletionStage<Void>> answer) {
            this.answer = answer;
        }

        @Override
        public CompletionStage<Void> write(byte[] frame) {
            written.add(frame);
            return answer.get();
        }

        @Override
        public void close(CloseReason reason) {
        }

        @Override
        public String transport() {
            return "stage";
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress(0);
        }
    }

    /** Records every call. */
    private static final class Calls implements WriteListener {
        final List<Throwable> outcomes = new ArrayList<>();
        int calls;

        @Override
        public void writeCompleted(Throwable failure) {
            calls++;
            outcomes.add(failure);
        }
    }

    @Test
    @DisplayName("a stage complete already: the listener hears it before write returns, null for success")
    void completedStageReportedAtOnce() {
        StageAdapter a = new StageAdapter(() -> CompletableFuture.completedFuture(null));
        Calls l = new Calls();
        byte[] frame = {1, 2};
        a.write(frame, l);
        assertThat(a.written).containsExactly(frame);
        assertThat(l.calls).isEqualTo(1);
        assertThat(l.outcomes).containsExactly((Throwable) null);
    }

    @Test
    @DisplayName("a failed stage: the listener gets the cause itself, not a CompletionException")
    void failedStageReportsTheCause() {
        IOException cause = new IOException("gone");
        Calls l = new Calls();
        new StageAdapter(() -> CompletableFuture.failedFuture(cause)).write(new byte[0], l);
        assertThat(l.outcomes).containsExactly(cause);
        CompletableFuture<Void> later = new CompletableFuture<>();
        Calls l2 = new Calls();
        new StageAdapter(() -> later.thenApply(v -> v)).write(new byte[0], l2); // a dependent stage fails wrapped
        later.completeExceptionally(cause);
        assertThat(l2.outcomes).containsExactly(cause);
    }

    @Test
    @DisplayName("a stage completing later: the listener hears it then, once")
    void laterCompletionReportedOnce() {
        CompletableFuture<Void> stage = new CompletableFuture<>();
        Calls l = new Calls();
        new StageAdapter(() -> stage).write(new byte[0], l);
        assertThat(l.calls).isZero();
        stage.complete(null);
        stage.complete(null);
        assertThat(l.calls).isEqualTo(1);
        assertThat(l.outcomes).containsExactly((Throwable) null);
    }

    @Test
    @DisplayName("a write that throws is reported to the listener, not thrown; a null listener is refused")
    void thrownFailureGoesToTheListener() {
        IllegalStateException boom = new IllegalStateException("boom");
        StageAdapter a = new StageAdapter(() -> {
            throw boom;
        });
        Calls l = new Calls();
        a.write(new byte[0], l);
        assertThat(l.outcomes).containsExactly(boom);
        assertThatThrownBy(() -> a.write(new byte[0], null)).isInstanceOf(NullPointerException.class)
                .hasMessage("listener");
        assertThat(a.written).as("nothing written without a listener").hasSize(1);
    }
}
