/**
 * tok's default queue: a bounded, per-user FIFO with time-to-live, kept in memory; in
 * at-least-once mode each user's message log with per-device cursors. Select it with the queue
 * name {@code memory} (or configure no queue at all); messages and cursors are lost when the
 * process ends. Exports nothing.
 *
 * @provides dev.tok.api.spi.QueueProvider the queue named {@code memory}
 */
module dev.tok.queue.memory {
    requires dev.tok.api;
    requires org.slf4j;

    provides dev.tok.api.spi.QueueProvider with dev.tok.queue.memory.MemoryQueueProvider;
}
