package dev.tok.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static Settings s(String k, String v) {
        return Settings.of("transport 'tcp'", Map.of(k, v));
    }

    @Test
    void durations() {
        assertThat(s("t", "250ms").duration("t", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(s("t", "30s").duration("t", null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(s("t", "5m").duration("t", null)).isEqualTo(Duration.ofMinutes(5));
        assertThat(s("t", "1h").duration("t", null)).isEqualTo(Duration.ofHours(1));
        assertThat(s("t", "2d").duration("t", null)).isEqualTo(Duration.ofDays(2));
        assertThat(s("t", "PT1M").duration("t", null)).isEqualTo(Duration.ofMinutes(1));
        assertThat(s("t", "0").duration("t", null)).isZero();
        assertThat(Settings.of("x", Map.of()).duration("t", Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> s("t", "soon").duration("t", null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting 't' for transport 'tcp' is 'soon'; expected a duration such as 250ms, 30s, 5m, 1h, 2d or PT30S");
    }

    @Test
    void sizes() {
        assertThat(s("m", "4MiB").bytes("m", 0)).isEqualTo(4 * 1024 * 1024);
        assertThat(s("m", "64KiB").bytes("m", 0)).isEqualTo(65536);
        assertThat(s("m", "1GiB").bytes("m", 0)).isEqualTo(1L << 30);
        assertThat(s("m", "123").bytes("m", 0)).isEqualTo(123);
        assertThatThrownBy(() -> s("m", "4 MB").bytes("m", 0)).hasMessageContaining("setting 'm'");
        assertThatThrownBy(() -> s("m", "-1").bytes("m", 0)).hasMessageContaining("non-negative");
    }

    @Test
    void scalarsAndLists() {
        assertThat(s("p", "9000").integer("p", 0)).isEqualTo(9000);
        assertThatThrownBy(() -> s("p", "nine").integer("p", 0)).hasMessageContaining("an integer");
        assertThat(s("b", "TRUE").bool("b", false)).isTrue();
        assertThatThrownBy(() -> s("b", "yes").bool("b", false)).hasMessageContaining("true or false");
        assertThat(s("l", " a, b ,,c ").list("l")).containsExactly("a", "b", "c");
        assertThat(s("d", "/tmp/x").path("d")).contains(Path.of("/tmp/x"));
        assertThat(s("d", " ").string("d")).isEmpty();
    }

    @Test
    void unknownKeysAreRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> s("prot", "1").requireKnown(Set.of("port", "host")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown setting 'prot' for transport 'tcp' (did you mean 'port'?); known: [host, port]");
    }
}
