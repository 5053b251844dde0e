package dev.tok.transport.tcp.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the inbound byte stream into Go tok frames: a 4-byte unsigned big-endian length, then
 * that many payload bytes. Emits each payload as a {@code byte[]} (zero-length payloads too).
 *
 * <p>The length is checked as soon as its four bytes arrived: a length above the maximum fires
 * {@link FrameTooLong} and discards everything after it, so nothing is ever allocated or
 * buffered for an oversized frame. The most this decoder holds is one incomplete frame of at
 * most the maximum length.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    static final int LENGTH_FIELD = 4;
    private static final byte[] EMPTY = new byte[0];

    private final int maxFrameLength;
    private boolean failed;

    FrameDecoder(int maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int readable = in.readableBytes();
        if (readable < LENGTH_FIELD) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length > maxFrameLength) {
            failed = true;
            in.skipBytes(readable);
            ctx.fireUserEventTriggered(new FrameTooLong(length, maxFrameLength));
            return;
        }
        if (readable - LENGTH_FIELD < length) {
            return;
        }
        in.skipBytes(LENGTH_FIELD);
        if (length == 0) {
            out.add(EMPTY);
            return;
        }
        byte[] frame = new byte[(int) length];
        in.readBytes(frame);
        out.add(frame);
    }

    /**
     * Fired down the pipeline when a length prefix exceeds the maximum.
     *
     * @param length the announced length
     * @param max    the configured maximum
     */
    record FrameTooLong(long length, int max) {
    }
}
