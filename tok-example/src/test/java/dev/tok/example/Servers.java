package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Starts the example server in this JVM on free ports, and connects clients to it. */
final class Servers {

    static final List<String> TRANSPORTS = List.of("tcp", "jetty-ws", "netty-ws");
    private static final AtomicInteger USERS = new AtomicInteger();

    private Servers() {
    }

    /** Starts a server on ephemeral ports with the given extra options. */
    static ChatServer start(Map<String, String> queueSettings, String... options) {
        List<String> args = new ArrayList<>(List.of("--tcp-port", "0", "--ws-port", "0", "--netty-ws-port", "0"));
        args.addAll(Arrays.asList(options));
        return ChatServer.start(Options.parse(args.toArray(new String[0])), queueSettings);
    }

    /** @return a user name no other test uses */
    static String user(String name) {
        return name + USERS.incrementAndGet();
    }

    /** Connects without waiting for the login. */
    static ChatClient connect(ChatServer server, String transport, String token) {
        switch (transport) {
            case "tcp":
                return TcpChatClient.connect(server.address("tcp"), token);
            case "jetty-ws":
            case "netty-ws":
                return WsChatClient.connect(transport, server.address(transport), token);
            default:
                throw new IllegalArgumentException(transport);
        }
    }

    /** Connects and returns once the hub lists the user as online (the login completed). */
    static ChatClient login(ChatServer server, String transport, String token) {
        ChatClient c = connect(server, transport, token);
        String uid = token.contains("/") ? token.substring(0, token.indexOf('/')) : token;
        List<String> users = new ArrayList<>();
        c.online().forEach(n -> users.add(n.asText()));
        assertThat(users).as("online after %s logged in over %s", uid, transport).contains(uid);
        return c;
    }
}
