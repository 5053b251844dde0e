package dev.tok.transport.support;

import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.WriteListener;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The stage a transport's {@link dev.tok.api.spi.ConAdapter#write(byte[])} returns when the
 * transport implements {@link dev.tok.api.spi.ConAdapter#write(byte[], WriteListener)} natively:
 * that write's listener, completing with its outcome on the thread that reports it. Unlike the
 * SPI's default adapter it adds no dependent stage per frame.
 */
public final class WriteStage extends CompletableFuture<Void> implements WriteListener {

    private WriteStage() {
    }

    /**
     * {@code adapter.write(frame)} for a transport whose listener write is its own: the listener
     * write with a stage as its listener.
     *
     * @param adapter the connection; its {@code write(byte[], WriteListener)} must not use {@code write(byte[])}
     * @param frame   the frame; not null
     * @return the stage, completed when the listener is told
     */
    public static CompletionStage<Void> write(ConAdapter adapter, byte[] frame) {
        Objects.requireNonNull(frame, "frame");
        WriteStage stage = new WriteStage();
        adapter.write(frame, stage);
        return stage;
    }

    /**
     * Completes this stage: normally when {@code failure} is null, else exceptionally with it.
     *
     * @param failure why the write failed, or null when it was written
     */
    @Override
    public void writeCompleted(Throwable failure) {
        if (failure == null) {
            complete(null);
        } else {
            completeExceptionally(failure);
        }
    }
}
