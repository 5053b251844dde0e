package dev.tok.benchmarks.server;

import dev.tok.benchmarks.baseline.BaselineServer;
import java.net.InetSocketAddress;

/** The no-hub baseline speaks the protocol the load tool drives. */
class BaselineProtocolTest extends ChatProtocolContract {

    @Override
    AutoCloseable start() throws Exception {
        return new BaselineServer("127.0.0.1", 0, 2);
    }

    @Override
    InetSocketAddress address(AutoCloseable server) {
        return ((BaselineServer) server).address();
    }
}
