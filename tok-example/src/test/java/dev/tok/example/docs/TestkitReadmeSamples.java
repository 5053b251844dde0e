package dev.tok.example.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.spi.HubRuntime;
import dev.tok.testkit.InMemoryConnection;
import java.time.Duration;

/**
 * The samples of {@code tok-testkit/README.md} that are not the third-party transport example's
 * own files: compiled only (they need a hub runtime of a test).
 */
class TestkitReadmeSamples {

    HubRuntime runtime;
    Hub hub;

    void inMemoryConnection() {
        // tag::in-memory-connection[]
        InMemoryConnection alice = InMemoryConnection.inline().registerWith(runtime.transportContext(), Device.of("alice", "phone"));
        hub.send("alice", "hi".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
        assertThat(alice.texts()).containsExactly("hi");
        // end::in-memory-connection[]
    }
}
