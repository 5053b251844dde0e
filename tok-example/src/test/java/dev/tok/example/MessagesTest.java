package dev.tok.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The frame reader located by tokens and the message written by copying bytes (ProtocolTest covers them over sockets). */
class MessagesTest {

    @ParameterizedTest
    @ValueSource(strings = {"\"plain\"", "\"\"", "\"esc \\\" \\\\ \\u00e9 \\n\"", "\"\uD83D\uDE00 é\"", "42", "-0.5", "1.50", "1E+400",
        "12345678901234567890123", "true", "false", "null", "[]", "{}", "[1,\"two\",{\"three\":[]}]", "{\"a\":{\"b\":[null,0]}}"})
    void theBodyIsForwardedAsSentWhereverItStands(String body) throws IOException {
        String[] frames = {
            "{\"type\":\"send\",\"to\":\"bob\",\"body\":" + body + "}",
            "{\"body\":" + body + ",\"type\":\"send\",\"to\":\"bob\"}",
            "{ \"type\" : \"send\" , \"body\" :  " + body + "  , \"to\":\"bob\" , \"ttl\": 5 }",
            "{\"type\":\"send\",\"to\":\"bob\",\"body\":" + body + ",\"cid\":\"c\"}"};
        for (String frame : frames) {
            Messages.Frame f = Messages.read(frame.getBytes(UTF_8));
            assertThat(f.notObject()).isNull();
            assertThat(f.type().textValue()).isEqualTo("send");
            assertThat(f.to().textValue()).isEqualTo("bob");
            byte[] msg = Messages.msg("alice", f.frame(), f.bodyStart(), f.bodyEnd(), 1234);
            assertThat(new String(msg, UTF_8)).as(frame).isEqualTo("{\"type\":\"msg\",\"from\":\"alice\",\"body\":" + body + ",\"ts\":1234}");
        }
    }

    @Test
    void fieldsAndTheirKinds() throws IOException {
        Messages.Frame f = Messages.read("{\"type\":\"send\",\"cid\":5,\"ttl\":60,\"id\":9,\"x\":{\"y\":[1]},\"to\":null}".getBytes(UTF_8));
        assertThat(f.cid().isNumber()).isTrue();
        assertThat(f.ttl().longValue()).isEqualTo(60);
        assertThat(f.id().longValue()).isEqualTo(9);
        assertThat(f.to()).as("null is absent").isNull();
        assertThat(f.hasBody()).isFalse();
        assertThat(Messages.read("{\"ttl\":1.5}".getBytes(UTF_8)).ttl().isIntegralNumber()).isFalse();
        assertThat(Messages.read("{\"ttl\":12345678901234567890}".getBytes(UTF_8)).ttl().canConvertToLong()).isFalse();
        assertThat(Messages.read("[1,2]".getBytes(UTF_8)).notObject().isArray()).isTrue();
        assertThat(Messages.read("".getBytes(UTF_8)).notObject().isMissingNode()).isTrue();
    }

    @Test
    void malformedFramesAreRefusedWhereverTheFlawIs() {
        for (String frame : new String[] {"{} {}", "{\"a\":1} x", "\"s\" 1", "{\"type\":\"a\",\"type\":\"b\"}",
            "{\"body\":{\"k\":1,\"k\":2}}", "{\"body\":[1,}", "{\"skipped\":tru}", "{\"type\":\"send\"", "not json"}) {
            assertThatThrownBy(() -> Messages.read(frame.getBytes(UTF_8))).as(frame).isInstanceOf(IOException.class);
        }
        byte[] badUtf8InBody = {'{', '"', 'b', 'o', 'd', 'y', '"', ':', '"', (byte) 0xff, '"', '}'};
        assertThatThrownBy(() -> Messages.read(badUtf8InBody)).isInstanceOf(IOException.class);
        byte[] badUtf8Skipped = {'{', '"', 't', '"', ':', '"', (byte) 0xc3, '(', '"', '}'};
        assertThatThrownBy(() -> Messages.read(badUtf8Skipped)).isInstanceOf(IOException.class);
    }

    @Test
    void userIdsAreCheckedAsTheirPatternSays() {
        String[] samples = {"alice", "A.b-c_9", "", "a b", "é", "a/b", "x".repeat(64), "x".repeat(65), "a\"", "-", ".."};
        for (String s : samples) {
            assertThat(TokenAuthenticator.isId(s)).as(s).isEqualTo(TokenAuthenticator.ID.matcher(s).matches());
        }
    }

    @Test
    void aSenderThatNeedsEscapingIsRefusedNotWrittenBroken() {
        byte[] frame = "{\"body\":1}".getBytes(UTF_8);
        assertThatThrownBy(() -> Messages.msg("a\"b", frame, 8, 9, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
