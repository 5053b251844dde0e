package dev.tok.spring.boot.starter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.Hub;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The auto-configuration with a real TCP transport on an ephemeral port: two users chat over real
 * sockets, the Hub bean reaches them, and closing the context closes their connections with
 * {@code SERVER_SHUTDOWN}.
 */
class ChatOverTcpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    @DisplayName("alice and bob chat over TCP; the Hub bean sends to bob; closing the context closes them gracefully")
    void chat() {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TokAutoConfiguration.class))
                .withUserConfiguration(ChatBeans.class)
                .withPropertyValues("tok.transports=tcp", "tok.transport.tcp.port=0", "tok.transport.tcp.host=127.0.0.1");
        ChatBeans.Closes[] closes = new ChatBeans.Closes[1];
        ClientConnection[] clients = new ClientConnection[2];
        try {
            runner.run(context -> {
                assertThat(context).hasNotFailed();
                closes[0] = context.getBean(ChatBeans.Closes.class);
                int port = context.getEnvironment().getRequiredProperty("local.tok.port.tcp", Integer.class);
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
                Hub hub = context.getBean(Hub.class);
                ClientConnection alice = new FramedSocketClient().connect(address, "alice");
                ClientConnection bob = new FramedSocketClient().connect(address, "bob");
                clients[0] = alice;
                clients[1] = bob;
                await().atMost(WAIT).until(() -> hub.isOnline("alice") && hub.isOnline("bob"));

                alice.send("bob:hello bob".getBytes(UTF_8));
                assertThat(text(bob.receive(WAIT).orElseThrow())).isEqualTo("alice: hello bob");
                assertThat(text(alice.receive(WAIT).orElseThrow())).isEqualTo("ok");
                bob.send("alice:hi alice".getBytes(UTF_8));
                assertThat(text(alice.receive(WAIT).orElseThrow())).isEqualTo("bob: hi alice");
                assertThat(text(bob.receive(WAIT).orElseThrow())).isEqualTo("ok");

                hub.send("bob", "from the application".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
                assertThat(text(bob.receive(WAIT).orElseThrow())).isEqualTo("from the application");
                assertThat(context.getSourceApplicationContext().isActive()).isTrue();
            });
            // the runner closed the context: the lifecycle closed the server, which closed both connections
            for (ClientConnection c : clients) {
                assertThatThrownBy(() -> drain(c)).isInstanceOf(EOFException.class);
            }
            assertThat(closes[0].reasons).containsExactly(CloseReason.SERVER_SHUTDOWN, CloseReason.SERVER_SHUTDOWN);
        } finally {
            for (ClientConnection c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    private static void drain(ClientConnection c) throws IOException {
        while (true) {
            c.receive(WAIT);
        }
    }

    private static String text(byte[] b) {
        return new String(b, UTF_8);
    }
}
