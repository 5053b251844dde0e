package dev.tok.core;

import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.Connection;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Builds hubs and in-memory connections for tests, and closes them afterwards. */
final class HubFixture implements AutoCloseable {
    static {
        // Conditions, not timings: on a loaded 2-core CI machine a condition may take longer than
        // Awaitility's 10 s default to become true; a broken guarantee never does.
        org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(60));
    }
    final ExecutorService io = Executors.newFixedThreadPool(2, new NamedThreadFactory("test-io"));
    private final List<CoreHub> hubs = new ArrayList<>();

    /** A config builder that passes validation: a read timeout stands in for pings. */
    static HubConfig.Builder config() {
        return HubConfig.builder().actor((d, p) -> { }).readTimeout(Duration.ofMinutes(1));
    }

    CoreHub hub(HubConfig config) {
        CoreHub hub = (CoreHub) new CoreHubProvider().create(config).hub();
        hubs.add(hub);
        return hub;
    }

    InMemoryConnection connect(CoreHub hub, Device device) {
        return connect(hub, device, n -> false);
    }

    /** Connects with a write-failure rule already in place, so even the login's drain obeys it. */
    InMemoryConnection connect(CoreHub hub, Device device, java.util.function.IntPredicate failWrite) {
        InMemoryConnection c = InMemoryConnection.completingOn(io).failWritesWhere(failWrite);
        Connection connection = hub.register(device, c);
        c.attach(connection);
        return c;
    }

    /**
     * Connects an adapter that completes every write (and its close) in the calling thread,
     * as a transport may when the bytes fit its socket buffer or the connection is gone.
     */
    InMemoryConnection connectInline(CoreHub hub, Device device) {
        InMemoryConnection c = InMemoryConnection.inline();
        Connection connection = hub.register(device, c);
        c.attach(connection);
        return c;
    }

    InMemoryConnection connect(CoreHub hub, String uid) {
        return connect(hub, Device.of(uid, "d"));
    }

    @Override
    public void close() throws InterruptedException {
        for (CoreHub hub : hubs) {
            hub.close();
        }
        io.shutdown();
        io.awaitTermination(5, TimeUnit.SECONDS);
    }
}
