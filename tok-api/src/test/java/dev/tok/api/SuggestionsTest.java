package dev.tok.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.internal.Suggestions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The "did you mean" hint of provider names and setting keys. */
class SuggestionsTest {

    private static final Set<String> TRANSPORTS = Set.of("tcp", "jetty-ws", "netty-ws");

    @Test
    void typosWithinTwoEditsAreMatchedToTheClosestName() {
        assertThat(Suggestions.closest("tpc", TRANSPORTS)).contains("tcp");          // swapped neighbours
        assertThat(Suggestions.closest("tcpp", TRANSPORTS)).contains("tcp");         // inserted
        assertThat(Suggestions.closest("TCP", TRANSPORTS)).contains("tcp");          // case
        assertThat(Suggestions.closest("jety-sw", TRANSPORTS)).contains("jetty-ws"); // deleted + swapped
        assertThat(Suggestions.closest("nety-ws", TRANSPORTS)).contains("netty-ws");
        assertThat(Suggestions.closest("jetty", TRANSPORTS)).contains("jetty-ws");   // unique prefix
        assertThat(Suggestions.closest("prot", Set.of("port", "host", "path"))).contains("port");
    }

    @Test
    void farOffOrKnownNamesGetNoSuggestion() {
        assertThat(Suggestions.closest("quic", TRANSPORTS)).isEmpty();
        assertThat(Suggestions.closest("ws", TRANSPORTS)).isEmpty();
        assertThat(Suggestions.closest("tcp", TRANSPORTS)).isEmpty();
        assertThat(Suggestions.closest("x", List.of("y"))).isEmpty();
        assertThat(Suggestions.didYouMean("quic", TRANSPORTS)).isEmpty();
        assertThat(Suggestions.didYouMean("tpc", TRANSPORTS)).isEqualTo(" (did you mean 'tcp'?)");
    }
}
