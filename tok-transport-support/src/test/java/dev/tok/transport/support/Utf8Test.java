package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The allocation-free UTF-8 check that decides whether a payload can go as a text frame. */
class Utf8Test {

    private static byte[] hex(String s) {
        String[] parts = s.trim().split(" ");
        byte[] b = new byte[s.isBlank() ? 0 : parts.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    /** The JDK's strict decoder, as the reference. */
    private static boolean jdkValid(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "41", "7F", "C2 80", "DF BF", "E0 A0 80", "ED 9F BF", "EE 80 80", "EF BF BF", "F0 90 80 80",
        "F4 8F BF BF", "E2 82 AC", "F0 9F 98 80"})
    @DisplayName("well-formed: ASCII, 2-, 3- and 4-byte sequences up to U+10FFFF")
    void valid(String bytes) {
        assertThat(Utf8.isValid(hex(bytes))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "BF", "C0 80", "C1 BF", "E0 80 80", "E0 9F BF", "ED A0 80", "ED BF BF", "F0 80 80 80",
        "F0 8F BF BF", "F4 90 80 80", "F5 80 80 80", "FF", "FE", "C2", "E2 82", "F0 9F 98", "C2 41", "E2 41 AC", "41 C2"})
    @DisplayName("malformed: stray continuations, overlongs, surrogates, above U+10FFFF, truncated sequences")
    void invalid(String bytes) {
        assertThat(Utf8.isValid(hex(bytes))).isFalse();
    }

    @Test
    @DisplayName("agrees with the JDK's strict decoder on 20000 random byte strings and all text of every plane")
    void agreesWithTheJdk() {
        Random random = new Random(20261126);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(12)];
            random.nextBytes(b);
            if (random.nextBoolean()) {
                for (int j = 0; j < b.length; j++) {
                    b[j] = (byte) (0x80 | (b[j] & 0x3F)); // mostly continuation bytes
                }
                if (b.length > 0) {
                    b[0] = (byte) (0xC0 | random.nextInt(0x40));
                }
            }
            assertThat(Utf8.isValid(b)).as("%s", java.util.Arrays.toString(b)).isEqualTo(jdkValid(b));
        }
        StringBuilder text = new StringBuilder();
        for (int cp = 0; cp <= 0x10FFFF; cp += 0x3F) {
            if (cp < 0xD800 || cp > 0xDFFF) {
                text.appendCodePoint(cp);
            }
        }
        assertThat(Utf8.isValid(text.toString().getBytes(StandardCharsets.UTF_8))).isTrue();
    }
}
