package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.transport.jetty.JettyWebSocketMount;
import dev.tok.transport.jetty.JettyWsTransport;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The samples in tok-transport-jetty's Javadoc; the mount runs. */
class JettyJavadocSamples extends DocFixtures {

    HubConfig hubConfig = echoConfig();
    HubConfig config = hubConfig;
    // the application's Jetty server, set by the test
    Server server;
    ServerConnector connector;
    Handler appHandler;
    JettyWebSocketMount tokMount;

    void handshakeDeadline() {
        // tag::handshake-deadline[]
        ServerConnector connector = new ServerConnector(server);
        tokMount.installHandshakeDeadline(connector); // follows the hub's auth timeout
        // or, with a fixed deadline: HandshakeDeadline.install(connector, Duration.ofSeconds(5));
        // end::handshake-deadline[]
    }

    TokServer mount() throws Exception {
        // tag::mount[]
        JettyWebSocketMount tok = JettyWebSocketMount.create(JettyWsTransport.settings().path("/chat"));
        server.setHandler(new Handler.Sequence(tok.handler(), appHandler));
        server.start();
        tok.installHandshakeDeadline(connector); // the connector serving tok's path: slowloris defence
        TokServer tokServer = TokServer.builder(hubConfig).transport(tok.transport()).build().start();
        // end::mount[]
        return tokServer;
    }

    void settings() {
        // tag::settings[]
        TokServer.builder(config)
                .transport(JettyWsTransport.settings().port(8080).path("/chat")
                        .allowedOrigins(List.of("https://app.example.com")))
                .build()
                .start();
        // end::settings[]
    }
}
