package dev.tok.spring.boot.starter;

import dev.tok.api.Hub;
import dev.tok.api.HubMetrics;
import dev.tok.api.TokServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The tok server's health, under the name {@code tok} (bean {@code tokHealthIndicator}):
 * {@code UP} while the server runs, {@code DOWN} before it started, {@code OUT_OF_SERVICE} from
 * the moment it stops. Details: {@code transports} (each listener's transport, address and port),
 * {@code hub} ({@code open} or {@code closed}), {@code queue} (the class of the hub's queue, or
 * {@code none} when offline caching is off), {@code onlineUsers} and {@code connections}. No uid
 * or device ever appears.
 *
 * <p>Registered when Spring Boot's health module is on the class path (the actuator brings it);
 * {@code management.health.tok.enabled=false} turns it off. Thread-safe; {@link #health()} reads
 * counters and never blocks.
 *
 * @since 0.1
 */
public final class TokHealthIndicator implements HealthIndicator {

    private final TokServerLifecycle lifecycle;

    /** @param lifecycle the lifecycle of the server to report; not null */
    public TokHealthIndicator(TokServerLifecycle lifecycle) {
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    /** @return the health; never null */
    @Override
    public Health health() {
        TokServer server = lifecycle.server();
        switch (lifecycle.state()) {
            case NEW:
                return Health.down().withDetail("server", "not started").build();
            case STOPPING:
            case STOPPED:
                return Health.outOfService().withDetail("server", "stopped").withDetail("hub", "closed")
                        .withDetail("transports", List.of()).build();
            default:
                break;
        }
        List<Map<String, Object>> transports = new ArrayList<>();
        for (TokServer.Listener l : server.listeners()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("transport", l.transport());
            t.put("address", String.valueOf(l.address()));
            if (l.address() instanceof InetSocketAddress) {
                t.put("port", ((InetSocketAddress) l.address()).getPort());
            }
            transports.add(t);
        }
        Hub hub = server.hub();
        HubMetrics metrics = hub.metrics();
        return Health.up()
                .withDetail("transports", transports)
                .withDetail("hub", "open")
                .withDetail("queue", hub.config().queue().map(q -> q.getClass().getName()).orElse("none"))
                .withDetail("onlineUsers", metrics.onlineUsers())
                .withDetail("connections", metrics.onlineConnections())
                .build();
    }
}
