package dev.tok.testkit;

import dev.tok.api.Queue;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** The reference queue with its log file passes the durable kit. */
class ReferenceDurableQueueCompatibilityTest extends DurableQueueCompatibilityKit {

    @Override
    protected Queue openQueue(Path directory, Map<String, String> settings) {
        return new ReferenceQueue(settings, directory, Set.of());
    }
}
