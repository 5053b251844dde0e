package dev.tok.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link TokServer.Builder#transport(TransportSettings)} is the string form with a name attached. */
class TransportSettingsTest {
    private static final String NO_HUB = "No tok hub implementation found";

    private static TokServer.Builder builder() {
        return TokServer.builder(HubConfig.builder().actor((d, p) -> { }).readTimeout(Duration.ofSeconds(30))
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("u", "d"))).build());
    }

    @Test
    @DisplayName("typed settings are checked by the same code, with the same message, as the string form")
    void typedSettingsAreCheckedLikeTheStringForm() {
        assertThatThrownBy(() -> builder().transport(TransportSettings.of("loop", Map.of("prot", "9000"))).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown setting 'prot' for transport 'loop' (did you mean 'port'?); known: [port]");
        assertThatThrownBy(() -> builder().transport(TransportSettings.of("jetty-ws", Map.of())).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("No TransportProvider named 'jetty-ws'");
        // valid typed settings pass every check; tok-api's tests have no hub, which build() reports last
        assertThatThrownBy(() -> builder().transport(TransportSettings.of("loop", Map.of("port", "9000"))).build())
                .hasMessageStartingWith(NO_HUB);
    }

    @Test
    @DisplayName("the server copies the map when the settings are passed: a builder may be changed and reused")
    void theMapIsCopiedWhenPassed() {
        Map<String, String> live = new HashMap<>(Map.of("port", "9000"));
        TransportSettings mutable = new TransportSettings() {
            @Override
            public String transport() {
                return "loop";
            }

            @Override
            public Map<String, String> asMap() {
                return Map.copyOf(live);
            }
        };
        TokServer.Builder b = builder().transport(mutable);
        live.put("prot", "1");
        // not "unknown setting 'prot'": the settings were taken as passed; only the missing hub remains
        assertThatThrownBy(b::build).hasMessageStartingWith(NO_HUB);
    }

    @Test
    void ofCopiesAndRejectsNull() {
        Map<String, String> m = new HashMap<>(Map.of("port", "1"));
        TransportSettings s = TransportSettings.of("loop", m);
        m.put("port", "2");
        assertThat(s.transport()).isEqualTo("loop");
        assertThat(s.asMap()).containsExactly(Map.entry("port", "1"));
        assertThatThrownBy(() -> TransportSettings.of(null, Map.of())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder().transport((TransportSettings) null)).isInstanceOf(NullPointerException.class);
    }
}
