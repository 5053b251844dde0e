package dev.tok.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Waiting for a {@link TokServer}, its close future, its shutdown hook and its ports, over loopback tcp. */
@Timeout(60)
class ServerLifecycleTest {

    static TokServer.Builder builder() {
        HubConfig config = HubConfig.builder().actor((device, payload) -> { }).readTimeout(Duration.ofSeconds(30))
                .authenticator(request -> CompletableFuture.completedFuture(Device.of("u", "d"))).build();
        return TokServer.builder(config).transport("tcp", Map.of("host", "127.0.0.1", "port", "0"));
    }

    @Test
    @DisplayName("join() returns once another thread closed the server, and the close future completes")
    void joinReturnsAfterCloseFromAnotherThread() throws Exception {
        TokServer server = builder().build().start();
        AtomicBoolean joined = new AtomicBoolean();
        CompletableFuture<Void> closed = server.closeFuture().toCompletableFuture();
        Thread waiter = new Thread(() -> {
            try {
                server.join();
                joined.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "joiner");
        waiter.start();
        assertThat(server.awaitTermination(Duration.ofMillis(50))).isFalse();
        assertThat(closed).isNotDone();
        assertThat(joined).isFalse();

        Thread closer = new Thread(server::close, "closer");
        closer.start();
        waiter.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(joined).isTrue();
        assertThat(closed).isCompleted();
        assertThat(server.awaitTermination(Duration.ZERO)).isTrue();
        server.awaitTermination(); // returns at once
        closer.join();
    }

    @Test
    @DisplayName("join() returns only after the close future's actions ran, in the closing thread")
    void joinReturnsAfterTheCloseFuturesActionsRanInTheClosingThread() throws Exception {
        TokServer server = builder().build().start();
        AtomicBoolean actionDone = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> actionThread = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch joining = new java.util.concurrent.CountDownLatch(1);
        server.closeFuture().thenRun(() -> {
            actionThread.set(Thread.currentThread().getName());
            try {
                Thread.sleep(300); // a slow action, e.g. a final flush of application state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            actionDone.set(true);
        });
        AtomicBoolean doneWhenJoined = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            try {
                joining.countDown();
                server.join();
                doneWhenJoined.set(actionDone.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "joiner");
        waiter.start();
        joining.await();
        Thread closer = new Thread(server::close, "closer");
        closer.start();
        waiter.join(TimeUnit.SECONDS.toMillis(20));
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(actionThread.get()).isEqualTo("closer");
        assertThat(doneWhenJoined).as("the close future's action had finished when join() returned").isTrue();
    }

    @Test
    void port_isTheRealBoundPortOfTheTransport() throws Exception {
        try (TokServer server = builder().build().start()) {
            int port = server.port("tcp");
            assertThat(port).isPositive().isEqualTo(((InetSocketAddress) server.address("tcp").orElseThrow()).getPort());
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertThat(s.isConnected()).isTrue();
            }
            assertThatThrownBy(() -> server.port("tpc")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("this server has no transport named 'tpc' (did you mean 'tcp'?); it has [tcp]");
        }
    }

    @Test
    void portBeforeStartSaysToStartFirst() {
        TokServer server = builder().build();
        assertThatThrownBy(() -> server.port("tcp")).isInstanceOf(IllegalStateException.class)
                .hasMessage("transport 'tcp' has not started; call start() first; started: []");
        server.close();
        assertThat(server.closeFuture().toCompletableFuture()).isCompleted();
    }

    @Test
    @DisplayName("a failed start closes the server and completes the close future")
    void failedStartCompletesTheCloseFuture() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TokServer server = ServerLifecycleTest.builder().transport("tcp", Map.of("host", "127.0.0.1",
                    "port", String.valueOf(taken.getLocalPort()))).build();
            assertThatThrownBy(server::start).hasMessageContaining("could not bind");
            assertThat(server.awaitTermination(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    @DisplayName("closeOnShutdown: SIGTERM to a JVM that joined its server closes the server, and main returns")
    void shutdownHookClosesTheServerOfAChildJvm() throws Exception {
        Process child = new ProcessBuilder(javaCommand(ShutdownHookMain.class)).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            int port = -1;
            while (port < 0 && (line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("port ")) {
                    port = Integer.parseInt(line.substring(5));
                }
            }
            assertThat(port).as("child output %s", lines).isPositive();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertThat(s.isConnected()).isTrue();
            }
            child.toHandle().destroy(); // SIGTERM, runs the shutdown hooks (Process.destroy() would also close our end of the pipe)
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // "joined" may or may not be printed: the JVM halts when the hooks are done
        assertThat(lines).as("child output").contains("closed");
    }

    /** Runs a class's main in a child JVM on the class path made of this test's module and class path. */
    private static List<String> javaCommand(Class<?> main) throws Exception {
        Set<String> path = new LinkedHashSet<>();
        path.add(Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    path.add(entry);
                }
            }
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                String.join(File.pathSeparator, path), main.getName());
    }

    /** The child JVM: starts a server with a shutdown hook, prints its port, joins, says when closed. */
    public static final class ShutdownHookMain {
        private ShutdownHookMain() {
        }

        /**
         * @param args ignored
         * @throws InterruptedException never expected
         */
        public static void main(String[] args) throws InterruptedException {
            TokServer server = builder().build().start().closeOnShutdown();
            server.closeFuture().thenRun(() -> System.out.println("closed"));
            System.out.println("port " + server.port("tcp"));
            System.out.flush();
            server.join();
            System.out.println("joined");
            System.out.flush();
        }
    }
}
