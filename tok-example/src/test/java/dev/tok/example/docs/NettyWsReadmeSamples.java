package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.transport.netty.ws.NettyWsTransport;
import java.util.List;
import java.util.Map;

/** The samples of {@code tok-transport-netty-ws/README.md}; the typed settings run. */
class NettyWsReadmeSamples extends DocFixtures {

    HubConfig hubConfig = echoConfig();

    void settingsMap() {
        // tag::settings-map[]
        TokServer.builder(hubConfig)
                .transport("netty-ws", Map.of("port", "8080", "allowed-origins", "https://app.example.com"))
                .build().start();
        // end::settings-map[]
    }

    TokServer settingsTyped() {
        // tag::settings-typed[]
        TokServer server = TokServer.builder(hubConfig)
                .transport(NettyWsTransport.settings().port(0).allowedOrigins(List.of("https://app.example.com"))
                        .messageType(NettyWsTransport.MessageType.BINARY))
                .build().start();                 // port 0: any free port, see server.port("netty-ws")
        // end::settings-typed[]
        return server;
    }
}
