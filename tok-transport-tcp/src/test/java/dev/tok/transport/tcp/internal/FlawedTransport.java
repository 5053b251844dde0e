package dev.tok.transport.tcp.internal;

import dev.tok.api.AuthRequest;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.TransportContext;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real transport with one deliberate bug, put between it and the hub: the kind of mistake a
 * transport author makes. {@link KitCatchesBrokenTransportsTest} shows the kit catches each.
 */
final class FlawedTransport implements Transport {

    /** The bugs. */
    enum Flaw {
        /** The fifth frame of each connection never reaches the hub. */
        DROPS_AN_INBOUND_FRAME,
        /** A refused client is registered anyway, as an intruder. */
        ACCEPTS_REFUSED_CLIENTS,
        /** The hub is never told that a connection ended. */
        NEVER_REPORTS_CLOSE,
        /** Writes report success at once, whether the bytes get out or not. */
        REPORTS_WRITES_BEFORE_WRITING,
        /** Writes wait in an unbounded queue of the adapter's own, so the transport never sees a backlog. */
        HIDES_SLOW_CONSUMERS,
        /** The hub's close and abort are ignored, so the hub's read timeout never closes anything. */
        IGNORES_HUB_CLOSE,
        /** Abort flushes like close: a peer that does not read holds the pending writes for the write timeout. */
        FLUSHES_ON_ABORT
    }

    private final Transport inner;
    private final Flaw flaw;

    FlawedTransport(Transport inner, Flaw flaw) {
        this.inner = inner;
        this.flaw = flaw;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public CompletionStage<SocketAddress> start(TransportContext context) {
        return inner.start(new FlawedContext(context));
    }

    @Override
    public CompletionStage<Void> stop() {
        return inner.stop();
    }

    private final class FlawedContext implements TransportContext {
        private final TransportContext hub;

        FlawedContext(TransportContext hub) {
            this.hub = hub;
        }

        @Override
        public HubConfig config() {
            return hub.config();
        }

        @Override
        public CompletionStage<Device> authenticate(AuthRequest request) {
            CompletionStage<Device> verdict = hub.authenticate(request);
            return flaw == Flaw.ACCEPTS_REFUSED_CLIENTS ? verdict.exceptionally(e -> Device.of("intruder", "x")) : verdict;
        }

        @Override
        public Connection register(Device device, ConAdapter adapter) {
            Connection connection = hub.register(device, flaw == null ? adapter : new FlawedAdapter(adapter));
            return flaw == null ? connection : new FlawedConnection(connection);
        }
    }

    private final class FlawedConnection implements Connection {
        private final Connection hub;
        private final AtomicInteger frames = new AtomicInteger();

        FlawedConnection(Connection hub) {
            this.hub = hub;
        }

        @Override
        public Device device() {
            return hub.device();
        }

        @Override
        public void onFrame(byte[] frame) {
            if (flaw == Flaw.DROPS_AN_INBOUND_FRAME && frames.incrementAndGet() == 5) {
                return;
            }
            hub.onFrame(frame);
        }

        @Override
        public void onActivity() {
            hub.onActivity();
        }

        @Override
        public void onClosed(dev.tok.api.CloseReason reason) {
            if (flaw != Flaw.NEVER_REPORTS_CLOSE) {
                hub.onClosed(reason);
            }
        }
    }

    private final class FlawedAdapter implements ConAdapter {
        private final ConAdapter transport;
        private final ArrayDeque<byte[]> held = new ArrayDeque<>();
        private boolean writing;

        FlawedAdapter(ConAdapter transport) {
            this.transport = transport;
        }

        @Override
        public CompletionStage<Void> write(byte[] frame) {
            if (flaw == Flaw.REPORTS_WRITES_BEFORE_WRITING) {
                transport.write(frame);
                return CompletableFuture.completedFuture(null);
            }
            if (flaw == Flaw.HIDES_SLOW_CONSUMERS) {
                synchronized (this) {
                    held.add(frame);
                    if (!writing) {
                        writing = true;
                        next();
                    }
                }
                return CompletableFuture.completedFuture(null);
            }
            return transport.write(frame);
        }

        private synchronized void next() {
            byte[] frame = held.poll();
            if (frame == null) {
                writing = false;
                return;
            }
            transport.write(frame).whenComplete((v, e) -> next());
        }

        @Override
        public void close(dev.tok.api.CloseReason reason) {
            if (flaw != Flaw.IGNORES_HUB_CLOSE) {
                transport.close(reason);
            }
        }

        @Override
        public void abort(dev.tok.api.CloseReason reason) {
            if (flaw == Flaw.FLUSHES_ON_ABORT) {
                transport.close(reason);
            } else if (flaw != Flaw.IGNORES_HUB_CLOSE) {
                transport.abort(reason);
            }
        }

        @Override
        public String transport() {
            return transport.transport();
        }

        @Override
        public SocketAddress remoteAddress() {
            return transport.remoteAddress();
        }

        @Override
        public void pauseReading() {
            transport.pauseReading();
        }

        @Override
        public void resumeReading() {
            transport.resumeReading();
        }
    }
}
