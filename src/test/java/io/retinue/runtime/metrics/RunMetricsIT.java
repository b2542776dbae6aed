package io.retinue.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.node.ObjectNode;

/** A tool-using run on the demo model, as the Prometheus scrape shows it. */
class RunMetricsIT extends PlatformIT {

    @Test
    void aToolUsingRunIsCountedWithItsModelCallsTokensCostAndToolCall() {
        String slug = "metered-" + Long.toHexString(System.nanoTime());
        ObjectNode agent = Agents.create(slug, Map.of());
        ((ObjectNode) agent.get("config")).set("tools", Api.JSON.valueToTree(java.util.List.of(
                Map.of("name", "builtin.calculator"))));
        api.post("/api/v1/agents", agent).expect(201);
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        api.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "builtin.calculator", "effect",
                "allow")).expect(201);
        String before = scrape();
        for (int i = 0; i < 2; i++) {
            api.post("/api/v1/runs", Map.of("agent", slug, "input", "What is 6 * 7?", "variables",
                    Map.of("company", "ACME"))).expect(201);
        }
        String after = scrape();

        String runs = "retinue_runs_seconds_count{agent=\"" + slug
                + "\",mode=\"sync\",status=\"completed\",tenant=\"default\"}";
        assertThat(value(after, runs)).as(after).isEqualTo(2);
        assertThat(value(after, "retinue_runs_seconds_bucket{agent=\"" + slug
                + "\",mode=\"sync\",status=\"completed\",tenant=\"default\",le=\"+Inf\"}")).isEqualTo(2);
        String calls = "retinue_model_calls_seconds_count{model=\"demo-echo\",outcome=\"answer\",provider=\"demo\"}";
        assertThat(value(after, calls) - value(before, calls)).as(lines(after, "retinue_model_calls_seconds_count"))
            .isEqualTo(2);
        String tool = "retinue_tool_calls_seconds_count{outcome=\"completed\",tool=\"builtin.calculator\"}";
        assertThat(value(after, tool) - value(before, tool)).as(lines(after, "retinue_tool_calls_seconds_count"))
            .isEqualTo(2);
        String common = "agent=\"" + slug + "\",";
        assertThat(value(after, "retinue_model_tokens_total{" + common
                + "direction=\"input\",model=\"demo-echo\",provider=\"demo\",tenant=\"default\"}")).isPositive();
        assertThat(value(after, "retinue_model_tokens_total{" + common
                + "direction=\"output\",model=\"demo-echo\",provider=\"demo\",tenant=\"default\"}")).isPositive();
        assertThat(value(after, "retinue_model_cost_usd_total{" + common
                + "model=\"demo-echo\",provider=\"demo\",tenant=\"default\"}")).isPositive();
        // No run id, input or output is ever a label.
        assertThat(after).doesNotContain("What is 6", "run_id", "runId");
    }

    @Test
    void aStreamedRunShowsItsTimeToFirstTokenAndTheOpenStreams() {
        String slug = "streamed-" + Long.toHexString(System.nanoTime());
        api.post("/api/v1/agents", Agents.create(slug, Map.of())).expect(201);
        api.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        String first = "retinue_model_first_token_seconds_count{model=\"demo-echo\",provider=\"demo\"}";
        double before = value(scrape(), first);
        Api.Streamed streamed = api.call("POST", "/api/v1/runs?mode=stream").json(Map.of("agent", slug, "input",
                "hello there", "variables", Map.of("company", "ACME"))).stream();
        assertThat(streamed.types()).contains("text.delta", "run.completed");
        String after = scrape();
        assertThat(value(after, first) - before).isEqualTo(1);
        // Counted once the end's transaction committed, a moment after the stream saw the end.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> value(scrape(),
                "retinue_runs_seconds_count{agent=\"" + slug
                        + "\",mode=\"stream\",status=\"completed\",tenant=\"default\"}") == 1);
        api.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", slug, "input", "later", "variables",
                Map.of("company", "ACME"))).send().expect(202);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> value(scrape(),
                "retinue_runs_seconds_count{agent=\"" + slug
                        + "\",mode=\"async\",status=\"completed\",tenant=\"default\"}") == 1);
        assertThat(after).containsPattern("(?m)^retinue_streams_open \\S+$");
    }

    private String scrape() {
        return api.call("GET", "/actuator/prometheus").anonymous().header("Authorization", "Bearer " + SCRAPE_TOKEN)
            .send().expect(200).body();
    }

    private static String lines(String scrape, String metric) {
        return String.join("\n", scrape.lines().filter(line -> line.startsWith(metric)).toList());
    }

    /** The value of one series in a scrape, 0 when it is not there. */
    private static double value(String scrape, String series) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }
}
