package dev.tok.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.benchmarks.plot.PlotTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster targets end to end in miniature: a real {@code redis-server} and one or two
 * {@code HubChatServer} JVMs on it, 20 users, {@code chat} at 200 msg/s. Counts only: no timing
 * assertions.
 */
class ClusterChatTest {

    @TempDir
    Path out;

    @Test
    void twoNodesDeliverEveryMessageAcrossNodesAndReportRedisCommandsPerMessage() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LoadTool.run(new LoadOptions(new String[] {"--scenario", "chat", "--targets", "cluster2:tcp,cluster1:tcp", "--users", "20",
            "--rates", "200", "--warmup-seconds", "0.5", "--measure-seconds", "1", "--jit-warmup-seconds", "0", "--out",
            out.toString(), "--server-jvm-args", "-Xmx256m", "--max-minutes", "3"}), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        // routed sends go by (sharded) pub/sub: PUBLISH on standalone Redis before, SPUBLISH now
        assertThat(text).doesNotContain("FAILED").containsPattern("per delivered message \\(s?publish=");

        List<Map<String, String>> chat = PlotTool.read(out.resolve("chat.csv"));
        chat.removeIf(r -> r.get("phase").equals("retried")); // a step that looked saturated on a busy machine, run again
        assertThat(chat).extracting(r -> r.get("target") + "/" + r.get("phase"))
                .containsExactly("cluster2:tcp/ramp", "cluster1:tcp/ramp", "cluster2:tcp/half", "cluster1:tcp/half");
        for (Map<String, String> r : chat) {
            assertThat(Long.parseLong(r.get("sent"))).isPositive();
            assertThat(r.get("received")).isEqualTo(r.get("sent"));
            assertThat(r.get("errors")).isEqualTo("0");
            double perMessage = Double.parseDouble(r.get("redis_cmds_per_msg"));
            if (r.get("target").equals("cluster2:tcp")) {
                // every message went from a user on one node to a user on the other, through Redis
                assertThat(r.get("received_cross_node")).isEqualTo(r.get("received"));
                assertThat(perMessage).isGreaterThan(0.5);
                assertThat(r.get("redis_cmds_per_msg_by_command")).contains("publish=");
            } else {
                // one node: no message crosses, and a send within the node asks Redis nothing (only heartbeats remain)
                assertThat(r.get("received_cross_node")).isEqualTo("0");
                assertThat(perMessage).isLessThan(0.1);
                assertThat(r.get("redis_cmds_per_msg_by_command")).doesNotContain("publish=");
            }
        }
    }

    @Test
    void clusterTargetsAreParsedAndChecked() {
        assertThat(Target.parse("cluster2:tcp").nodes()).isEqualTo(2);
        assertThat(Target.parse("cluster2:tcp").queue()).isEqualTo("redis");
        assertThat(Target.parse("cluster2:tcp")).hasToString("cluster2:tcp");
        assertThat(Target.parse("cluster1:tcp:memory")).hasToString("cluster1:tcp:memory");
        assertThat(Target.parse("hub:tcp").nodes()).isZero();
        assertThatThrownBy(() -> Target.parse("cluster2:jetty-ws")).hasMessageContaining("cluster2:jetty-ws");
        assertThatThrownBy(() -> new LoadOptions(new String[] {"--scenario", "fanout", "--targets", "cluster2:tcp"}))
                .hasMessageContaining("chat scenario only");
    }

    @Test
    void theSenderIsReadFromTheMessageFrame() {
        byte[] msg = "{\"type\":\"msg\",\"from\":\"u123\",\"body\":{\"t\":1},\"ts\":5}".getBytes(StandardCharsets.US_ASCII);
        assertThat(ChatScenario.senderIndex(msg)).isEqualTo(123);
        assertThat(ChatScenario.senderIndex("{\"type\":\"msg\",\"from\":\"bob\"}".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    }
}
