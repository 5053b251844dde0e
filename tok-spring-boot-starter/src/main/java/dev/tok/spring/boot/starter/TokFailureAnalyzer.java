package dev.tok.spring.boot.starter;

import dev.tok.api.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a tok {@link ConfigurationException} that stopped the application from starting into
 * Spring Boot's "APPLICATION FAILED TO START" report: tok's message as the description (it names
 * the property or bean and the fix), and where the properties are documented as the action.
 * Registered in {@code META-INF/spring.factories}.
 */
final class TokFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis("tok could not be configured: " + cause.getMessage(),
                "Change what the description names: a tok.* property (tok.hub.*, tok.queue, tok.queue.*, tok.cluster, "
                        + "tok.cluster.*, tok.transports, tok.transport.<name>.*; see the README of tok-spring-boot-starter) "
                        + "or a bean of the application.",
                cause);
    }
}
