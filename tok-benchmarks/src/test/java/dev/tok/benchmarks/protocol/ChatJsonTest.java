package dev.tok.benchmarks.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatJsonTest {

    private static ChatJson.Request parse(String json) throws ChatJson.BadFrame {
        ChatJson.Request r = new ChatJson.Request();
        ChatJson.parse(json.getBytes(StandardCharsets.UTF_8), r);
        return r;
    }

    @Test
    void readsEveryFieldOfASendAndKeepsTheBodyVerbatim() throws Exception {
        String json = " { \"type\" : \"send\", \"to\":\"bob\", \"body\": {\"a\":[1,2.5e3,{\"b\":null}],\"s\":\"x\\\"y\"}, \"ttl\":0, \"cid\":\"c1\", \"extra\":true }";
        ChatJson.Request r = parse(json);
        assertThat(r.type).isEqualTo("send");
        assertThat(r.to).isEqualTo("bob");
        assertThat(r.ttl).isZero();
        assertThat(r.cid).isEqualTo("c1");
        byte[] p = json.getBytes(StandardCharsets.UTF_8);
        assertThat(new String(p, r.bodyStart, r.bodyEnd - r.bodyStart, StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":[1,2.5e3,{\"b\":null}],\"s\":\"x\\\"y\"}");
    }

    @Test
    void defaultsAndEscapes() throws Exception {
        ChatJson.Request r = parse("{\"type\":\"send\",\"to\":\"b\\u006fb\",\"body\":\"hi\",\"cid\":null}");
        assertThat(r.to).isEqualTo("bob");
        assertThat(r.ttl).isEqualTo(ChatJson.DEFAULT_TTL);
        assertThat(r.cid).isNull();
        assertThat(parse("{\"type\":\"online\"}").bodyStart).isEqualTo(-1);
    }

    @Test
    void rejectsMalformedFrames() {
        for (String bad : List.of("", "[]", "{", "{\"type\":1}", "{\"to\":\"bob\"}", "{\"type\":\"send\",\"ttl\":1.5}",
                "{\"type\":\"send\"} x", "{\"type\":\"send\",\"body\":{\"a\" 1}}", "{\"type\":\"send\",\"ttl\":\"1\"}", "nul")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(ChatJson.BadFrame.class);
        }
    }

    @Test
    void writesTheServerFrames() {
        byte[] send = "{\"type\":\"send\",\"to\":\"bob\",\"body\":{\"k\":[1]}}".getBytes(StandardCharsets.UTF_8);
        int start = new String(send, StandardCharsets.UTF_8).indexOf("{\"k\"");
        byte[] msg = ChatJson.msg("alice", send, start, start + 9, 1700000000123L);
        assertThat(new String(msg, StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"msg\",\"from\":\"alice\",\"body\":{\"k\":[1]},\"ts\":1700000000123}");
        assertThat(new String(ChatJson.msg("a", send, -1, -1, 5), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"msg\",\"from\":\"a\",\"body\":null,\"ts\":5}");
        assertThat(new String(ChatJson.ack("c\"1"), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"ack\",\"cid\":\"c\\\"1\"}");
        assertThat(new String(ChatJson.error(null, "offline"), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"error\",\"cid\":null,\"error\":\"offline\"}");
        assertThat(new String(ChatJson.online(List.of("a", "b")), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"online\",\"users\":[\"a\",\"b\"]}");
    }

    @Test
    void tokens() {
        assertThat(ChatJson.token("alice")).containsExactly("alice", "");
        assertThat(ChatJson.token("alice/phone")).containsExactly("alice", "phone");
        assertThat(ChatJson.token("al ice")).isNull();
        assertThat(ChatJson.token("")).isNull();
        assertThat(ChatJson.token("a".repeat(65))).isNull();
    }
}
