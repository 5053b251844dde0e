package dev.tok.example.docs;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tok.api.Actor;
import dev.tok.api.Authenticator;
import dev.tok.api.BeforeSend;
import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import java.time.Duration;
import java.util.Map;

/** The at-least-once sample of the root README; it runs (DocSamplesTest). */
class AtLeastOnceReadmeSamples extends DocFixtures {

    final Authenticator authenticator = echoConfig().authenticator().orElseThrow();

    /** Frames start with the message id: {@code 42 hello}; the device answers {@code ack 42}. */
    TokServer usage() {
        // tag::usage[]
        BeforeSend framing = new BeforeSend() {
            @Override
            public byte[] beforeSend(Device device, byte[] payload) {
                return payload;                                  // replies, pings: as they are
            }

            @Override
            public byte[] beforeSend(Device device, long id, byte[] payload) {
                return (id + " " + new String(payload, UTF_8)).getBytes(UTF_8); // the id travels with the message
            }
        };
        Actor actor = (connection, payload) -> {
            String frame = new String(payload, UTF_8);
            if (frame.startsWith("ack ")) {                      // the device received everything up to this id
                connection.acknowledge(Long.parseLong(frame.substring(4)));
            } else {                                             // "to text": sent at most once per client id
                String[] p = frame.split(" ", 3);                // "cid to text"
                connection.sendOnce(p[0], p[1], p[2].getBytes(UTF_8), Duration.ofDays(1));
            }
        };
        HubConfig config = HubConfig.builder()
                .authenticator(authenticator)
                .actor(actor)
                .beforeSend(framing)
                .delivery(DeliveryMode.AT_LEAST_ONCE)
                .inflightWindow(256, 1 << 20)                    // the defaults
                .acknowledgeHook((device, upToId) -> { })        // e.g. read receipts
                .build();
        TokServer server = TokServer.builder(config)
                .transport("tcp", Map.of("port", "0"))
                .queue("memory", Map.of())                     // "chronicle" or "redis": ids and cursors survive restarts
                .build()
                .start();
        // end::usage[]
        return server;
    }
}
