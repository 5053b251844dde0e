package dev.tok.spring.boot.starter;

import dev.tok.api.TokServer;

/**
 * Changes the server assembly the auto-configuration prepared: adds a transport built in code,
 * changes a timeout. Declare it as a bean; every customizer is applied, in {@code @Order} order,
 * after the {@code tok.*} properties and the transport beans, just before
 * {@link TokServer.Builder#build()}.
 *
 * <p>Called once, on the thread that creates the {@code TokServer} bean (the one refreshing the
 * application context).
 *
 * @since 0.1
 */
@FunctionalInterface
public interface TokServerCustomizer {

    /**
     * @param builder the builder, with the {@code tok.*} properties and the {@code TransportSettings}
     *                and {@code Transport} beans already added; never null
     */
    void customize(TokServer.Builder builder);
}
