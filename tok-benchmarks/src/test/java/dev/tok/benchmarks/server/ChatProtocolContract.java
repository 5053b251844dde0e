package dev.tok.benchmarks.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The example protocol rules the load tool relies on, checked against a server over real
 * loopback sockets. Subclasses start the server.
 */
abstract class ChatProtocolContract {

    private AutoCloseable server;
    private InetSocketAddress address;

    /** @return the started server and where it listens */
    abstract AutoCloseable start() throws Exception;

    abstract InetSocketAddress address(AutoCloseable server);

    @BeforeEach
    void startServer() throws Exception {
        server = start();
        address = address(server);
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void messageReachesTheRecipientWithSenderBodyAndTimestamp() throws Exception {
        try (FramedClient alice = new FramedClient(address, "alice/laptop"); FramedClient bob = new FramedClient(address, "bob")) {
            alice.awaitOnline("alice");
            bob.awaitOnline("bob");
            long before = System.currentTimeMillis();
            alice.send("{\"type\":\"send\",\"to\":\"bob\",\"body\":{\"text\":\"hi\",\"n\":[1,2]}}");
            String msg = bob.read();
            assertThat(msg).startsWith("{\"type\":\"msg\",\"from\":\"alice\",\"body\":{\"text\":\"hi\",\"n\":[1,2]},\"ts\":");
            long ts = Long.parseLong(msg.substring(msg.lastIndexOf(':') + 1, msg.length() - 1));
            assertThat(ts).isBetween(before - 1000, System.currentTimeMillis() + 1000);
        }
    }

    @Test
    void cidIsAcknowledgedAndTtlZeroToAnOfflineUserIsAnError() throws Exception {
        try (FramedClient alice = new FramedClient(address, "alice"); FramedClient bob = new FramedClient(address, "bob")) {
            alice.awaitOnline("alice");
            bob.awaitOnline("bob");
            alice.send("{\"type\":\"send\",\"to\":\"bob\",\"body\":1,\"cid\":\"c-1\"}");
            assertThat(bob.read()).contains("\"from\":\"alice\"");
            assertThat(alice.read()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c-1\"}");
            alice.send("{\"type\":\"send\",\"to\":\"nobody\",\"body\":1,\"ttl\":0,\"cid\":\"c-2\"}");
            assertThat(alice.read()).isEqualTo("{\"type\":\"error\",\"cid\":\"c-2\",\"error\":\"offline\"}");
            alice.send("{\"type\":\"send\",");
            assertThat(alice.read()).startsWith("{\"type\":\"error\",\"cid\":null,\"error\":");
            alice.send("{\"type\":\"online\"}");
            assertThat(alice.read()).isEqualTo("{\"type\":\"online\",\"users\":[\"alice\",\"bob\"]}");
        }
    }

    @Test
    void queuedMessagesArriveInOrderAtLogin() throws Exception {
        try (FramedClient alice = new FramedClient(address, "alice")) {
            alice.awaitOnline("alice");
            for (int i = 0; i < 20; i++) {
                alice.send("{\"type\":\"send\",\"to\":\"carol\",\"body\":" + i + ",\"cid\":\"q" + i + "\"}");
            }
            for (int i = 0; i < 20; i++) {
                assertThat(alice.read()).isEqualTo("{\"type\":\"ack\",\"cid\":\"q" + i + "\"}");
            }
            try (FramedClient carol = new FramedClient(address, "carol")) {
                for (int i = 0; i < 20; i++) {
                    assertThat(carol.read()).contains("\"body\":" + i + ",");
                }
            }
        }
    }

    @Test
    void singleSignOnSaysByeAndClosesTheOlderConnection() throws Exception {
        try (FramedClient first = new FramedClient(address, "dave/a")) {
            first.awaitOnline("dave");
            try (FramedClient second = new FramedClient(address, "dave/b")) {
                assertThat(first.read()).isEqualTo("{\"type\":\"bye\",\"reason\":\"sso\"}");
                assertThat(first.closedByServer()).isTrue();
                second.awaitOnline("dave");
            }
        }
    }

    @Test
    void anInvalidTokenClosesTheConnection() throws Exception {
        try (FramedClient bad = new FramedClient(address, "not valid!")) {
            assertThat(bad.closedByServer()).isTrue();
        }
    }
}
