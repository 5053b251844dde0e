package dev.tok.example.docs;

import dev.tok.api.Actor;
import dev.tok.api.AttributeKey;
import dev.tok.api.HubConfig;
import dev.tok.api.SessionPolicy;
import dev.tok.api.TokServer;
import dev.tok.transport.tcp.TcpTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The samples in tok-api's Javadoc ({@code dev.tok.api}); {@link DocSamplesTest} runs the two of
 * {@code TokServer}'s class comment.
 */
class ApiJavadocSamples extends DocFixtures {

    // tag::attribute-key[]
    static final AttributeKey<Session> SESSION = AttributeKey.of("session");
    // end::attribute-key[]

    record Session(String id) {
    }

    HubConfig hubConfig = echoConfig();
    HubConfig config = hubConfig;
    TokServer.Builder builder = TokServer.builder(hubConfig);
    /** Chronicle's directory, set by the test. */
    Path dataDirectory;
    final Application application = new Application();

    void runUntilStopped(TokServer server) {
        application.runUntilStopped(server);
    }

    static String recipientOf(byte[] payload) {
        return "bob";
    }

    /** {@code TokServer}'s first sample. */
    void tokServer() {
        // tag::tok-server[]
        try (TokServer server = TokServer.builder(hubConfig)
                .queue("chronicle", Map.of("directory", dataDirectory.toString()))
                .transport("tcp", Map.of("port", "0"))                  // 0: any free port
                .transport("jetty-ws", Map.of("port", "0"))
                .build()
                .start()) {
            server.listeners().forEach(System.out::println);          // names and bound addresses
            runUntilStopped(server);                                    // the application
        }
        // end::tok-server[]
    }

    /** {@code TokServer}'s second sample; runs in a child JVM that the test stops with SIGTERM. */
    void tokServerJoin() throws InterruptedException {
        // tag::tok-server-join[]
        TokServer server = TokServer.builder(hubConfig)
                .transport("tcp", Map.of("port", "0"))
                .build()
                .start()
                .closeOnShutdown();
        System.out.println("tcp on port " + server.port("tcp"));
        server.join(); // returns once the server has closed
        // end::tok-server-join[]
    }

    void builderTransportSettings() {
        // tag::builder-transport-settings[]
        builder.transport(TcpTransport.settings().port(9000).maxConnections(50_000));
        // end::builder-transport-settings[]
    }

    void transportSettings() {
        // tag::transport-settings[]
        TokServer.builder(config)
                .transport(TcpTransport.settings().port(9000).maxFrameLength(64 * 1024))
                .build();
        // end::transport-settings[]
    }

    void actor() {
        // tag::actor[]
        Actor echo = (connection, payload) -> connection.reply(payload);
        Actor chat = (connection, payload) ->
                connection.hub().send(recipientOf(payload), payload, Duration.ofDays(1));
        // end::actor[]
    }

    SessionPolicy onePerKind() {
        return
        // tag::one-per-kind[]
        SessionPolicy.onePerKind(device -> device.metadata().getOrDefault("platform", "other"))
        // end::one-per-kind[]
        ;
    }
}
