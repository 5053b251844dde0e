package dev.tok.example.docs;

import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.transport.netty.ws.NettyWsTransport;
import java.util.List;

/** The sample in tok-transport-netty-ws's Javadoc: compiled only (a fixed port); the README's typed sample runs. */
class NettyWsJavadocSamples extends DocFixtures {

    HubConfig config = echoConfig();

    void settings() {
        // tag::settings[]
        TokServer.builder(config)
                .transport(NettyWsTransport.settings().port(8080).path("/chat")
                        .allowedOrigins(List.of("https://app.example.com")))
                .build()
                .start();
        // end::settings[]
    }
}
