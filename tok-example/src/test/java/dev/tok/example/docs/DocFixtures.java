package dev.tok.example.docs;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the documentation samples take for granted (a configuration, the application's helpers),
 * defined outside the samples' tagged regions so that the regions hold exactly the text of the docs.
 */
class DocFixtures {

    /**
     * The device a client authenticates as: the first frame (tcp) or the {@code ?token=} query
     * parameter (WebSocket), in the form {@code uid/deviceId/platform}.
     */
    static String[] credentials(AuthRequest request) {
        String token = request.firstFrame().map(f -> new String(f, UTF_8))
                .or(() -> request.queryParameter("token"))
                .orElse("anonymous/unknown/other");
        String[] parts = token.split("/", -1);
        return new String[] {parts[0], parts.length > 1 ? parts[1] : "default", parts.length > 2 ? parts[2] : "other"};
    }

    /** An echo server's configuration: the {@code config} / {@code hubConfig} of the samples. */
    static HubConfig echoConfig() {
        return HubConfig.builder()
                .authenticator(request -> {
                    String[] c = credentials(request);
                    return CompletableFuture.completedFuture(new Device(c[0], c[1], Map.of("platform", c[2])));
                })
                .actor((connection, payload) -> connection.reply(payload))
                .build();
    }

    /**
     * Stands for "the application runs here" in the samples: hands the started server to the test
     * and returns once the test is done with it.
     */
    static final class Application {
        final CompletableFuture<TokServer> running = new CompletableFuture<>();
        final CountDownLatch stop = new CountDownLatch(1);

        void runUntilStopped(TokServer server) {
            running.complete(server);
            try {
                if (!stop.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test did not stop the sample within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
