package dev.tok.benchmarks.jmh;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The {@code tcp} transport's write path on its own ({@link TransportWriteBenchmark}): the client
 * sends a one-byte auth frame, then reads and discards. The frame is copied into a pooled buffer,
 * which Netty's pooled allocator does not count as heap allocation once warm, so
 * {@code gc.alloc.rate.norm} is the transport's own allocation per frame beyond it.
 *
 * <p>To measure writes from Netty's own threads (the event loops, where the hub's senders run
 * when the actor runs inline), run the benchmark threads as Netty threads:
 * {@code -jvmArgsAppend "-Djmh.executor=CUSTOM -Djmh.executor.class=dev.tok.benchmarks.jmh.NettyThreads"}.
 */
public class TcpWriteBenchmark extends TransportWriteBenchmark {

    @Override
    String transportName() {
        return "tcp";
    }

    @Override
    void handshake(Socket client, InetSocketAddress address) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(new byte[] {0, 0, 0, 1, 'a'}); // the auth frame
        out.flush();
    }
}
