/**
 * The {@code redis} queue: each user's message log, device cursors and id counter in Redis 7,
 * through Lettuce, atomic per user in Lua. Exports nothing; applications select it by name
 * ({@code redis}) and configure it with settings.
 *
 * <p>Lettuce carries no module descriptor; its jar names itself {@code lettuce.core} with
 * {@code Automatic-Module-Name}, a stable name, so this module is a named one that requires it.
 * An automatic module requires nothing, so on the module path the Netty modules Lettuce uses would
 * not be resolved unless an application added them: they are required here, which resolves them
 * (the automatic {@code lettuce.core} reads every module); so is {@code org.slf4j}, which
 * Lettuce 7 calls directly. Project Reactor, Reactive Streams and redis-authx-core, automatic
 * modules as well, are resolved with {@code lettuce.core}. This module's own log lines go through
 * {@link java.lang.System.Logger}.
 *
 * @provides dev.tok.api.spi.QueueProvider the {@code redis} queue
 */
module dev.tok.queue.redis {
    requires dev.tok.api;
    requires lettuce.core;     // Automatic-Module-Name of io.lettuce:lettuce-core
    // for lettuce.core, which declares nothing (see above):
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.handler;
    requires io.netty.codec;
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires org.slf4j;        // Lettuce 7 logs through SLF4J directly (MaintenanceAwareExpiryWriter)

    provides dev.tok.api.spi.QueueProvider with dev.tok.queue.redis.RedisQueueProvider;
}
