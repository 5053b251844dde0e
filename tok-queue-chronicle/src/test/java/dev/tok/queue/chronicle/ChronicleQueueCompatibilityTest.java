package dev.tok.queue.chronicle;

import dev.tok.api.Queue;
import dev.tok.testkit.DurableQueueCompatibilityKit;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The chronicle queue passes the durable queue compatibility kit (and with it the queue kit). */
class ChronicleQueueCompatibilityTest extends DurableQueueCompatibilityKit {

    @Override
    protected Queue openQueue(Path directory, Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.put("directory", directory.toString());
        return open("chronicle", s);
    }
}
