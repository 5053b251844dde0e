package dev.tok.transport.jetty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Stands for an application's own handler: answers {@code /app} with 200 "app". */
final class AppHandler extends Handler.Abstract {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!"/app".equals(Request.getPathInContext(request))) {
            return false;
        }
        response.setStatus(200);
        response.write(true, ByteBuffer.wrap("app".getBytes(StandardCharsets.US_ASCII)), callback);
        return true;
    }
}
