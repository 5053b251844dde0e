package dev.tok.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the chat page's files ({@code /} = {@code index.html}, {@code chat.js},
 * {@code chat.css}), read from the class path once, at construction. Not Jetty's
 * {@code ResourceHandler}: on a class-path directory inside the shaded jar, that mounts the whole
 * jar (some 49,000 entries) as a zip file system, which took about 0.6 s of the start-up and kept
 * ~13 MiB of index on the heap, for three small files.
 */
final class PageHandler extends Handler.Abstract.NonBlocking {

    private record File(String type, byte[] bytes) {
    }

    private final Map<String, File> files = new LinkedHashMap<>();

    /**
     * @param directory the class-path directory of the page, ending with {@code /}
     * @throws IllegalStateException if a file is missing
     */
    PageHandler(String directory) {
        add(directory, "index.html", "text/html;charset=utf-8");
        add(directory, "chat.js", "text/javascript;charset=utf-8");
        add(directory, "chat.css", "text/css;charset=utf-8");
    }

    private void add(String directory, String name, String type) {
        try (InputStream in = PageHandler.class.getClassLoader().getResourceAsStream(directory + name)) {
            if (in == null) {
                throw new IllegalStateException("the chat page is missing from the class path: " + directory + name);
            }
            files.put("/" + name, new File(type, in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + directory + name, e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        File f = files.get(path.equals("/") ? "/index.html" : path);
        if (f == null) {
            return false; // 404 from the server
        }
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        if (!head && !HttpMethod.GET.is(request.getMethod())) {
            Response.writeError(request, response, callback, 405);
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, f.type());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, f.bytes().length);
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(f.bytes()).asReadOnlyBuffer(), callback);
        return true;
    }
}
