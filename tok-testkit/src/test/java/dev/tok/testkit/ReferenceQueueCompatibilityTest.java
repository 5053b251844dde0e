package dev.tok.testkit;

import dev.tok.api.Queue;
import java.util.Map;
import java.util.Set;

/** The simple reference queue passes the kit, so a failure elsewhere is the queue's, not the kit's. */
class ReferenceQueueCompatibilityTest extends QueueCompatibilityKit {

    @Override
    protected Queue createQueue(Map<String, String> settings) {
        return new ReferenceQueue(settings, null, Set.of());
    }
}
