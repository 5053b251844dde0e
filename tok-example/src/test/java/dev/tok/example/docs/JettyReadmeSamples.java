package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.transport.jetty.JettyWebSocketMount;
import dev.tok.transport.jetty.JettyWsTransport;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The samples of {@code tok-transport-jetty/README.md}; the typed settings and the mount run. */
class JettyReadmeSamples extends DocFixtures {

    HubConfig hubConfig = echoConfig();
    // the application's Jetty server, set by the test
    Server server;
    ServerConnector connector;
    Handler appHandler;

    void settingsMap() {
        // tag::settings-map[]
        TokServer.builder(hubConfig)
                .transport("jetty-ws", Map.of("port", "8080", "allowed-origins", "https://app.example.com"))
                .build().start();
        // end::settings-map[]
    }

    TokServer settingsTyped() {
        // tag::settings-typed[]
        TokServer server = TokServer.builder(hubConfig)
                .transport(JettyWsTransport.settings().port(0).allowedOrigins(List.of("https://app.example.com"))
                        .messageType(JettyWsTransport.MessageType.BINARY))
                .build().start();                 // port 0: any free port, see server.port("jetty-ws")
        // end::settings-typed[]
        return server;
    }

    TokServer mount() throws Exception {
        // tag::mount[]
        JettyWebSocketMount tok = JettyWebSocketMount.create(Map.of("path", "/chat"));
        // or typed: JettyWebSocketMount.create(JettyWsTransport.settings().path("/chat"))
        server.setHandler(new Handler.Sequence(tok.handler(), appHandler)); // or inside a ContextHandler
        tok.installHandshakeDeadline(connector); // slowloris defence on the connector serving "/chat"
        server.start();
        TokServer tokServer = TokServer.builder(hubConfig).transport(tok.transport()).build().start();
        // end::mount[]
        return tokServer;
    }
}
