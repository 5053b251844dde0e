package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.util.Map;

/**
 * The sample of {@code examples/third-party-transport/README.md}: compiled only, the {@code unix}
 * transport is not on this class path (that example's own build runs it).
 */
class ThirdPartyTransportReadmeSamples extends DocFixtures {

    HubConfig config = echoConfig();

    void start() {
        // tag::start[]
        TokServer.builder(config).transport("unix", Map.of("path", "/run/tok/tok.sock")).build().start();
        // end::start[]
    }
}
