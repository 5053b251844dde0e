package dev.tok.example.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Queue;
import dev.tok.api.TokServer;
import dev.tok.testkit.ClusterCompatibilityKit;
import dev.tok.testkit.DurableQueueCompatibilityKit;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.KitRun;
import dev.tok.testkit.QueueCompatibilityKit;
import dev.tok.testkit.RedisServer;
import dev.tok.testkit.TransportClient;
import dev.tok.testkit.TransportCompatibilityKit;
import dev.tok.testkit.TransportLimits;
import dev.tok.testkit.WebSocketTransportCompatibilityKit;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples in tok-testkit's Javadoc: kit subclasses as a user writes them, compiled here as
 * nested classes (Surefire does not run nested classes, so the kits do not run from here).
 */
class TestkitJavadocSamples {

    private final String engineAddress = "127.0.0.1:7000";
    private final String redisUri = "redis://127.0.0.1:6379/0";

    // tag::cluster-kit[]
    class MyClusterCompatibilityTest extends ClusterCompatibilityKit {
        @Override
        protected Provider clusterSettings(String nodeId) {
            return new Provider("my-cluster", Map.of("address", engineAddress, "node-id", nodeId));
        }

        @Override
        protected Provider sharedQueue() {
            return new Provider("redis", Map.of("uri", redisUri));
        }
    }
    // end::cluster-kit[]

    // tag::queue-kit[]
    class MyQueueCompatibilityTest extends QueueCompatibilityKit {
        @Override
        protected Queue createQueue(Map<String, String> settings) {
            return open("my-queue", settings);   // found through ServiceLoader by name
        }
    }
    // end::queue-kit[]

    // tag::websocket-kit[]
    class NettyWsCompatibilityTest extends WebSocketTransportCompatibilityKit {
        @Override
        protected void addTransport(TokServer.Builder builder, Map<String, String> settings) {
            builder.transport("netty-ws", settings);
        }
    }
    // end::websocket-kit[]

    // tag::transport-kit[]
    class TcpTransportCompatibilityTest extends TransportCompatibilityKit {
        @Override
        protected void addTransport(TokServer.Builder builder, TransportLimits limits) {
            builder.transport("tcp", Map.of("host", "127.0.0.1", "port", "0",
                    "max-frame-length", String.valueOf(limits.maxFrameSize()),
                    "high-water-mark", String.valueOf(limits.highWaterMark()),
                    "max-pending-bytes", String.valueOf(limits.maxPendingBytes()),
                    "shutdown-grace-period", limits.stopGracePeriod().toMillis() + "ms"));
        }

        @Override
        protected TransportClient client() {
            return new FramedSocketClient();
        }
    }
    // end::transport-kit[]

    // tag::durable-queue-kit[]
    class MyDurableQueueCompatibilityTest extends DurableQueueCompatibilityKit {
        @Override
        protected Queue openQueue(Path directory, Map<String, String> settings) {
            Map<String, String> s = new HashMap<>(settings);
            s.put("path", directory.toString());
            return open("my-queue", s);
        }
    }
    // end::durable-queue-kit[]

    void redisServer(Path directory) {
        // tag::redis-server[]
        try (RedisServer redis = RedisServer.start(directory, RedisServer.Persistence.APPEND_ONLY)) {
            String uri = redis.uri();   // redis://127.0.0.1:PORT/0
            redis.kill();               // SIGKILL: what was not fsynced is lost
            redis.restart();            // same port and directory: the append-only file is read again
        }
        // end::redis-server[]
    }

    enum Flaw { DROPS_AN_INBOUND_FRAME }

    /** A kit subclass whose transport has {@link #flaw}. */
    abstract static class FlawedKit extends TransportCompatibilityKit {
    }

    // tag::kit-run[]
    static volatile Flaw flaw; // read by the kit subclass's factory method

    // end::kit-run[]

    void kitRun() {
        // tag::kit-run[]
        flaw = Flaw.DROPS_AN_INBOUND_FRAME;
        assertThat(KitRun.failingTests(FlawedKit.class, List.of("framesInOrderBothWays")))
                .containsExactly("framesInOrderBothWays");
        // end::kit-run[]
    }
}
