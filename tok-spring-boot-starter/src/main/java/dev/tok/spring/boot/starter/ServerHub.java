package dev.tok.spring.boot.starter;

import dev.tok.api.ConnectionContext;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.HubMetrics;
import dev.tok.api.SendResult;
import dev.tok.api.TokServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The {@code Hub} bean: the running server's hub, looked up at each call. The server creates its
 * hub only when it starts (in the lifecycle phase of {@link TokServerLifecycle}), after every bean
 * was created, so components get this stand-in injected and use it once the context has started.
 */
final class ServerHub implements Hub {

    private final Supplier<TokServer> server;

    ServerHub(Supplier<TokServer> server) {
        this.server = server;
    }

    private Hub hub() {
        try {
            return server.get().hub();
        } catch (IllegalStateException notStarted) {
            throw new IllegalStateException("the tok hub exists once the tok server has started, when the application "
                    + "context has started (TokServerLifecycle, phase " + TokServerLifecycle.PHASE + "): use the Hub "
                    + "from then on (an ApplicationReadyEvent listener, a request handler), not from a constructor or "
                    + "@PostConstruct", notStarted);
        }
    }

    @Override
    public CompletionStage<SendResult> send(String uid, byte[] payload, Duration ttl) {
        return hub().send(uid, payload, ttl);
    }

    @Override
    public CompletionStage<SendResult> send(Device device, byte[] payload, Duration ttl) {
        return hub().send(device, payload, ttl);
    }

    @Override
    public List<ConnectionContext> connections(String uid) {
        return hub().connections(uid);
    }

    @Override
    public boolean isOnline(String uid) {
        return hub().isOnline(uid);
    }

    @Override
    public Set<String> online() {
        return hub().online();
    }

    @Override
    public int kick(String uid) {
        return hub().kick(uid);
    }

    @Override
    public HubMetrics metrics() {
        return hub().metrics();
    }

    @Override
    public HubConfig config() {
        return hub().config();
    }

    /** Closes the running hub (not the transports): as {@link Hub#close()}. The context closes the whole server. */
    @Override
    public void close() {
        hub().close();
    }

    @Override
    public void close(java.time.Duration grace) {
        hub().close(grace);
    }

    @Override
    public String toString() {
        return "Hub of the tok server bean";
    }
}
