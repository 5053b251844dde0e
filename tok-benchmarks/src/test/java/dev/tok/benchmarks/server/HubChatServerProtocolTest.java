package dev.tok.benchmarks.server;

import java.net.InetSocketAddress;
import java.util.Map;

/** The hub-backed benchmark server speaks the same protocol as the baseline. */
class HubChatServerProtocolTest extends ChatProtocolContract {

    @Override
    AutoCloseable start() {
        return new HubChatServer("127.0.0.1", 0, "memory", Map.of(), 100, false);
    }

    @Override
    InetSocketAddress address(AutoCloseable server) {
        return ((HubChatServer) server).address();
    }
}
