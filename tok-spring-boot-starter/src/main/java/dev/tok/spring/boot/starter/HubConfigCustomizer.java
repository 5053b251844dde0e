package dev.tok.spring.boot.starter;

import dev.tok.api.HubConfig;

/**
 * Changes the hub configuration the auto-configuration assembled, for what neither a property nor
 * a hook bean covers (an explicit {@code noQueue()}, for example). Declare it as a bean; every
 * customizer is applied, in {@code @Order} order, after the properties and the hook beans, just
 * before {@link HubConfig.Builder#build()}.
 *
 * <p>Called once, on the thread that creates the {@code TokServer} bean (the one refreshing the
 * application context).
 *
 * @since 0.1
 */
@FunctionalInterface
public interface HubConfigCustomizer {

    /**
     * @param builder the builder, with the {@code tok.hub.*} settings, the actor, the authenticator
     *                and the hook, observer and queue beans already set; never null
     */
    void customize(HubConfig.Builder builder);
}
