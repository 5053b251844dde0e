package dev.tok.example;

import dev.tok.api.TokException;
import dev.tok.metrics.micrometer.TokMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --metrics-port}: the hub's meters ({@link TokMetrics}) in a {@link PrometheusMeterRegistry},
 * served in Prometheus' text format at {@code GET /metrics} by a small Jetty server of its own, on
 * its own port (so that it can stay on an internal interface while the chat ports face clients;
 * here both bind {@code --host}).
 */
final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    /** The Prometheus text exposition format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final TokMetrics tokMetrics;
    private final Server server;
    private final InetSocketAddress address;

    private MetricsEndpoint(PrometheusMeterRegistry registry, TokMetrics tokMetrics, Server server, InetSocketAddress address) {
        this.registry = registry;
        this.tokMetrics = tokMetrics;
        this.server = server;
        this.address = address;
    }

    /**
     * Makes the registry and the meters, binds them, and starts serving.
     *
     * @param host the address to bind
     * @param port the port; 0 picks a free one
     * @return the running endpoint
     * @throws TokException when the port cannot be bound
     */
    static MetricsEndpoint start(String host, int port) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TokMetrics tokMetrics = TokMetrics.create();
        tokMetrics.bindTo(registry);

        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName("example-metrics");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Scrape(registry));
        server.setStopTimeout(1_000);
        try {
            server.start();
        } catch (Exception e) {
            stop(server);
            registry.close();
            throw new TokException("the metrics endpoint could not start on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = new InetSocketAddress(host, connector.getLocalPort());
        return new MetricsEndpoint(registry, tokMetrics, server, bound);
    }

    /** @return the observer to add to the hub's configuration */
    TokMetrics tokMetrics() {
        return tokMetrics;
    }

    /** @return the bound address */
    InetSocketAddress address() {
        return address;
    }

    /** Stops serving and closes the registry. Idempotent. */
    @Override
    public void close() {
        stop(server);
        registry.close();
    }

    private static void stop(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("the metrics endpoint did not stop cleanly", e);
        }
    }

    /** {@code GET /metrics} (and {@code HEAD}): the scrape; anything else: 404 or 405. */
    private static final class Scrape extends Handler.Abstract {
        private final PrometheusMeterRegistry registry;

        Scrape(PrometheusMeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (!"/metrics".equals(Request.getPathInContext(request))) {
                return false; // 404
            }
            String method = request.getMethod();
            if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
                response.setStatus(HttpStatus.METHOD_NOT_ALLOWED_405);
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                callback.succeeded();
                return true;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            if (HttpMethod.HEAD.is(method)) {
                callback.succeeded();
            } else {
                response.write(true, java.nio.ByteBuffer.wrap(body), callback);
            }
            return true;
        }
    }
}
