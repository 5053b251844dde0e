package dev.tok.queue.memory;

import dev.tok.api.Queue;
import dev.tok.testkit.QueueCompatibilityKit;
import java.util.Map;

/** The memory queue, found by name through ServiceLoader, passes the queue compatibility kit. */
class MemoryQueueCompatibilityTest extends QueueCompatibilityKit {

    @Override
    protected Queue createQueue(Map<String, String> settings) {
        return open("memory", settings);
    }
}
