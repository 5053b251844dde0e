package dev.tok.benchmarks.jmh;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A JMH executor whose benchmark threads are Netty threads ({@code FastThreadLocalThread}s), as
 * the event loops that send when the hub's actor runs inline are:
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=dev.tok.benchmarks.jmh.NettyThreads}.
 */
public final class NettyThreads extends ThreadPoolExecutor {

    /**
     * Called by JMH.
     *
     * @param maxThreads the benchmark threads
     * @param prefix     their name prefix
     */
    public NettyThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix, true));
    }
}
