package dev.tok.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.AuthenticationException;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.StandardEnvironment;

/** The lifecycle's contract with Spring: phase, asynchronous stop, one start, not pauseable. */
class TokServerLifecycleTest {

    private static TokServer server() {
        return TokServer.builder(HubConfig.builder().actor((c, p) -> { })
                        .authenticator(r -> CompletableFuture.failedFuture(new AuthenticationException("no")))
                        .build())
                .transport("tcp", Map.of("port", "0", "host", "127.0.0.1")).build();
    }

    @Test
    @DisplayName("in the graceful-shutdown phase, not pauseable, auto-started")
    void phase() {
        TokServerLifecycle lifecycle = new TokServerLifecycle(server(), new StandardEnvironment());
        assertThat(lifecycle.getPhase()).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 1024).isEqualTo(TokServerLifecycle.PHASE);
        assertThat(lifecycle.isPauseable()).isFalse();
        assertThat(lifecycle.isAutoStartup()).isTrue();
        lifecycle.server().close();
    }

    @Test
    @DisplayName("stop(callback) returns at once, closes the server on tok-server-stop and then runs the callback")
    void asynchronousStop() throws Exception {
        TokServer server = server();
        StandardEnvironment env = new StandardEnvironment();
        TokServerLifecycle lifecycle = new TokServerLifecycle(server, env);
        lifecycle.start();
        assertThat(lifecycle.isRunning()).isTrue();
        assertThat(env.getProperty("local.tok.port.tcp", Integer.class)).isEqualTo(server.port("tcp"));

        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> thread = new AtomicReference<>();
        AtomicReference<Boolean> closedWhenCalledBack = new AtomicReference<>();
        lifecycle.stop(() -> {
            thread.set(Thread.currentThread().getName());
            closedWhenCalledBack.set(server.closeFuture().toCompletableFuture().isDone());
            done.countDown();
        });
        assertThat(lifecycle.isRunning()).isFalse();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(thread.get()).isEqualTo("tok-server-stop");
        assertThat(closedWhenCalledBack.get()).isTrue();
        assertThat(server.awaitTermination(Duration.ZERO)).isTrue();

        CountDownLatch again = new CountDownLatch(1);
        lifecycle.stop(again::countDown);
        assertThat(again.getCount()).as("a second stop calls back at once").isZero();
        assertThatThrownBy(lifecycle::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("starts once");
    }

    @Test
    @DisplayName("a server closed by someone else is not running")
    void closedElsewhere() {
        TokServer server = server();
        TokServerLifecycle lifecycle = new TokServerLifecycle(server, new StandardEnvironment());
        lifecycle.start();
        server.close();
        assertThat(lifecycle.isRunning()).isFalse();
        assertThat(lifecycle.state()).isEqualTo(TokServerLifecycle.State.STOPPED);
    }
}
