package dev.tok.transport.support;

import dev.tok.api.spi.WriteListener;
import java.util.concurrent.CompletableFuture;

/**
 * The stage a transport's {@link dev.tok.api.spi.ConAdapter#write(byte[])} returns when the
 * transport implements {@link dev.tok.api.spi.ConAdapter#write(byte[], WriteListener)} natively:
 * that write's listener, completing with its outcome on the thread that reports it. Unlike the
 * SPI's default adapter it adds no dependent stage per frame.
 */
public final class WriteStage extends CompletableFuture<Void> implements WriteListener {

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
