package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.transport.tcp.TcpTransport;
import java.util.Map;

/** The samples in tok-transport-tcp's Javadoc; {@code TcpTransport}'s runs. */
class TcpJavadocSamples extends DocFixtures {

    HubConfig config = echoConfig();

    TokServer settings() {
        // tag::settings[]
        TokServer server = TokServer.builder(config)
                .transport(TcpTransport.settings().port(0).maxFrameLength(64 * 1024)) // 0: any free port
                .build()
                .start();
        // end::settings[]
        return server;
    }

    void provider() {
        // tag::provider[]
        TokServer.builder(config).transport("tcp", Map.of("port", "9000")).build().start();
        // end::provider[]
    }
}
