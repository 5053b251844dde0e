package dev.tok.example.docs;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tok.api.Actor;
import dev.tok.api.AttributeKey;
import dev.tok.api.AuthRequest;
import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionContext;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.SessionPolicy;
import dev.tok.api.TokServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The samples of the root {@code README.md}; {@link DocSamplesTest} checks the text and runs them. */
class RootReadmeSamples extends DocFixtures {

    // tag::using-it[]
    static final AttributeKey<Profile> PROFILE = AttributeKey.of("profile");

    // end::using-it[]

    final Logger log = LoggerFactory.getLogger(RootReadmeSamples.class);
    final byte[] payload = "{\"type\":\"news\"}".getBytes(UTF_8);
    final Application application = new Application();
    HubConfig config = echoConfig();

    // the application's own types and helpers that the sample calls

    record Profile(Device device) {
        byte[] state() {
            return ("state of " + device.uid()).getBytes(UTF_8);
        }
    }

    /** A frame: {@code chat <to> <body>}, {@code sync}, or anything else (a protocol error). */
    record Message(String kind, String to, byte[] body) {
        boolean isChat() {
            return kind.equals("chat");
        }

        boolean isSync() {
            return kind.equals("sync");
        }
    }

    static String uidFrom(AuthRequest request) {
        return credentials(request)[0];
    }

    static String deviceIdFrom(AuthRequest request) {
        return credentials(request)[1];
    }

    static String platformFrom(AuthRequest request) {
        return credentials(request)[2];
    }

    static Message parse(byte[] payload) {
        String[] p = new String(payload, UTF_8).split(" ", 3);
        return p.length == 3 ? new Message(p[0], p[1], p[2].getBytes(UTF_8)) : new Message(p[0], "", new byte[0]);
    }

    static byte[] ackOrError(Message m, Throwable error) {
        return (error == null ? "ack" : "error " + error.getClass().getSimpleName()).getBytes(UTF_8);
    }

    static Profile loadProfile(Device device) {
        return new Profile(device);
    }

    void announcePresence(Hub hub, Device device) {
        log.info("{} is online", device);
    }

    void runUntilStopped(TokServer server) {
        application.runUntilStopped(server);
    }

    /** The "Using it" sample. */
    void usingIt() {
        // tag::using-it[]
        HubConfig config = HubConfig.builder()
                .authenticator(request -> CompletableFuture.completedFuture(
                        new Device(uidFrom(request), deviceIdFrom(request), Map.of("platform", platformFrom(request)))))
                .actor((connection, payload) -> {                          // on the actor executor; may block
                    Message m = parse(payload);
                    if (m.isChat()) {
                        connection.hub().send(m.to(), m.body(), Duration.ofDays(1))   // every device of m.to(), queued if offline
                                .whenComplete((result, error) -> connection.reply(ackOrError(m, error)));
                    } else if (m.isSync()) {
                        Profile p = connection.attribute(PROFILE).orElseThrow();      // set by the connect hook
                        connection.reply(p.state());                                  // this connection only
                    } else {
                        connection.close(CloseReason.PROTOCOL_ERROR);
                    }
                })
                .connectHook(connection -> {                               // once per connection, before its first frame
                    connection.setAttribute(PROFILE, loadProfile(connection.device()));
                    announcePresence(connection.hub(), connection.device());
                })
                .closeHook((device, reason) -> log.info("{} left: {}", device, reason))
                .sessionPolicy(SessionPolicy.onePerKind(d -> d.metadata().getOrDefault("platform", "other")))
                .pingGenerator(() -> "{\"type\":\"ping\"}".getBytes(UTF_8)) // optional: without it, a 90s read timeout
                .build();

        try (TokServer server = TokServer.builder(config)
                .queue("memory", Map.of("max-messages-per-user", "1000"))
                .transport("tcp", Map.of("port", "0"))                      // 0: any free port, see server.port("tcp")
                .build()
                .start()) {
            Hub hub = server.hub();
            hub.send("bob", payload, Duration.ofDays(1));                     // CompletionStage<SendResult>
            hub.send(Device.of("bob", "tablet"), payload, Duration.ZERO);     // that device's connections only
            for (ConnectionContext c : hub.connections("bob")) {              // who is bob connected as, and from where
                log.info("{} over {} from {} since {}", c.device(), c.transport(), c.remoteAddress(), c.connectedAt());
            }
            runUntilStopped(server);                                          // your application; see join() below
        }
        // end::using-it[]
    }

    /** The "where the actor runs" sample: a chat actor that only parses and sends, declared non-blocking. */
    HubConfig nonBlocking(Actor chat) {
        // tag::non-blocking[]
        HubConfig config = HubConfig.builder()
                .actor(chat)                 // parses the frame and calls Hub.send: never blocks
                .nonBlockingActor(true)      // so it runs on the I/O thread; key tok.hub.non-blocking-actor=true
                .build();
        // end::non-blocking[]
        return config;
    }

    /** The "server you can wait on" sample; runs in a child JVM that the test stops with SIGTERM. */
    void join() throws InterruptedException {
        // tag::join[]
        TokServer server = TokServer.builder(config)
                .transport("tcp", Map.of("port", "0"))
                .build()
                .start()
                .closeOnShutdown();                  // Ctrl-C / kill: close connections, flush the queue
        int port = server.port("tcp");               // the bound port (here a free one), no casting
        log.info("chat server on tcp port {}", port);
        server.closeFuture().thenRun(() -> log.info("closed")); // once the server has closed, whoever closed it
        server.join();                               // or awaitTermination(Duration) -> boolean
        // end::join[]
    }
}
