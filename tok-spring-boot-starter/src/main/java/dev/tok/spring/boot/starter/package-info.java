/**
 * tok's Spring Boot auto-configuration: {@link dev.tok.spring.boot.starter.TokAutoConfiguration}
 * builds a {@link dev.tok.api.TokServer} from the {@code tok.*} properties and the application's
 * {@link dev.tok.api.Actor}, {@link dev.tok.api.Authenticator} and hook beans;
 * {@link dev.tok.spring.boot.starter.TokServerLifecycle} starts it with the application context and
 * closes it in the graceful-shutdown phase; {@link dev.tok.spring.boot.starter.TokHealthIndicator}
 * reports it to the actuator. See the module's README for the properties and beans.
 *
 * @since 0.1
 */
package dev.tok.spring.boot.starter;
