package dev.tok.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/**
 * A real SpringApplication without an Actor bean: it does not start (no System.exit), and Spring
 * Boot's failure report carries tok's message through TokFailureAnalyzer (META-INF/spring.factories).
 */
class FailureReportTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokAutoConfiguration.class)
    static class NoActorApplication {
    }

    @Test
    @DisplayName("without an Actor bean SpringApplication.run fails and reports which bean to declare")
    void missingActorIsReported() {
        SpringApplication app = new SpringApplication(NoActorApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of("tok.transports", "tcp", "tok.transport.tcp.port", "0"));
        // Spring Boot's OutputCaptureExtension needs JUnit 6; the console appender writes to System.out as it is now
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(app::run).hasRootCauseInstanceOf(dev.tok.api.ConfigurationException.class);
        } finally {
            System.setOut(out);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("APPLICATION FAILED TO START")
                .contains("tok could not be configured: tok-spring-boot-starter needs a bean of type dev.tok.api.Actor")
                .contains("Change what the description names");
    }
}
