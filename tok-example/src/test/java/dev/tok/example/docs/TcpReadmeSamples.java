package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.transport.tcp.TcpTransport;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The samples of {@code tok-transport-tcp/README.md}; the map form runs, the TLS one is compiled only. */
class TcpReadmeSamples extends DocFixtures {

    HubConfig config = echoConfig();

    void settingsMap() {
        // tag::settings-map[]
        try (TokServer server = TokServer.builder(config)              // config needs an Authenticator
                .transport("tcp", Map.of("port", "0"))
                .build()
                .start()) {
            SocketAddress bound = server.address("tcp").orElseThrow(); // the real port when "port" is 0
        }
        // end::settings-map[]
    }

    void settingsTyped() {
        // tag::settings-typed[]
        TokServer.builder(config)
                .transport(TcpTransport.settings().port(9000).maxFrameLength(64 * 1024)
                        .authTimeout(Duration.ofSeconds(3)).tlsCert(Path.of("/etc/tok/fullchain.pem"))
                        .tlsKey(Path.of("/etc/tok/key.pem")))
                .build()
                .start();
        // end::settings-typed[]
    }
}
