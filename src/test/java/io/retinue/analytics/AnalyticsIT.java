package io.retinue.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Usage analytics: after a few hundred mixed runs — completed, failed, cancelled, with tools, in sessions, waiting for
 * and going on after a decision — the reports add up to exactly what the run records say, in JSON and CSV.
 */
class AnalyticsIT extends PlatformIT {

    private static final Map<String, String> VARIABLES = Map.of("company", "ACME");

    @Test
    void reportsAddUpToTheRunRecordsAfterAFewHundredMixedRuns() throws Exception {
        Api owner = newTenant(api, "an").owner();
        String plain = agent(owner, null, "demo");
        String calculating = agent(owner, "builtin.calculator", "demo");
        String failing = agent(owner, null, "fake-failing");
        String approving = agent(owner, "builtin.calculator", "demo");
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + calculating, "tools", "builtin.*", "effect",
                "allow")).expect(201);
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + approving, "tools", "builtin.calculator",
                "effect", "require_approval")).expect(201);

        ExecutorService callers = Executors.newFixedThreadPool(6);
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            int n = i;
            work.add(callers.submit(() -> run(owner, plain, "hello number " + n)));
            work.add(callers.submit(() -> run(owner, calculating, "What is " + n + " * 7?")));
        }
        for (int i = 0; i < 30; i++) {
            work.add(callers.submit(() -> run(owner, failing, "hello [[status:401]]")));
        }
        for (int i = 0; i < 30; i++) {
            int n = i;
            work.add(callers.submit(() -> {
                String id = run(owner, approving, "What is " + n + " + 1?").get("id").asString();
                Api.Reply decided = owner.post("/api/v1/runs/" + id + "/decision", Map.of("decision",
                        n % 2 == 0 ? "approve" : "reject"));
                assertThat(decided.status()).as(decided.toString()).isLessThan(300);
            }));
        }
        for (int i = 0; i < 30; i++) {
            int n = i;
            work.add(callers.submit(() -> {
                String id = owner.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", plain, "input",
                        "in the background " + n, "variables", VARIABLES)).send().expect(202).json().at("/run/id")
                    .asString();
                if (n % 2 == 0) {
                    owner.post("/api/v1/runs/" + id + "/cancel", "");
                }
            }));
        }
        for (int s = 0; s < 4; s++) {
            work.add(callers.submit(() -> {
                String session = owner.post("/api/v1/sessions", Map.of("agent", plain)).expect(201).json().get("id")
                    .asString();
                for (int turn = 0; turn < 5; turn++) {
                    owner.post("/api/v1/runs", Map.of("agent", plain, "session", session, "input", "turn " + turn,
                            "variables", VARIABLES)).expect(201);
                }
            }));
        }
        for (Future<?> each : work) {
            each.get();
        }
        callers.shutdown();

        List<JsonNode> runs = await().atMost(Duration.ofSeconds(60)).until(() -> runs(owner),
                all -> all.stream().noneMatch(run -> List.of("queued", "running", "cancelling")
                    .contains(run.get("status").asString())));
        assertThat(runs).hasSize(80 + 80 + 30 + 30 + 30 + 20);
        Totals expected = new Totals();
        Map<String, Totals> byAgent = new HashMap<>();
        long toolCalls = 0;
        long toolFailures = 0;
        long modelCalls = 0;
        for (JsonNode run : runs) {
            expected.add(run);
            byAgent.computeIfAbsent(run.get("agentSlug").asString(), slug -> new Totals()).add(run);
            for (JsonNode step : owner.get("/api/v1/runs/" + run.get("id").asString()).expect(200).json()
                .get("steps")) {
                String outcome = step.get("outcome").asString();
                if (step.get("kind").asString().equals("model")) {
                    modelCalls++;
                }
                else if (!outcome.equals("approval_required")) {
                    toolCalls++;
                    toolFailures += outcome.startsWith("completed") ? 0 : 1;
                }
            }
        }
        assertThat(expected.statuses.keySet()).as("a mix of outcomes")
            .contains("completed", "failed", "cancelled");
        assertThat(toolCalls).isPositive();

        JsonNode total = await().atMost(Duration.ofSeconds(30)).until(() -> owner.get("/api/v1/analytics/usage")
            .expect(200).json().get("rows"), rows -> rows.size() == 1
                    && rows.get(0).get("runs").asLong() == expected.runs
                    && rows.get(0).get("tokensIn").asLong() == expected.tokensIn).get(0);
        assertThat(total.get("completed").asLong()).isEqualTo(expected.statuses.getOrDefault("completed", 0L));
        assertThat(total.get("failed").asLong()).isEqualTo(expected.statuses.getOrDefault("failed", 0L));
        assertThat(total.get("cancelled").asLong()).isEqualTo(expected.statuses.getOrDefault("cancelled", 0L));
        assertThat(total.get("timedOut").asLong()).isEqualTo(expected.statuses.getOrDefault("timed_out", 0L));
        assertThat(total.get("tokensOut").asLong()).isEqualTo(expected.tokensOut);
        assertThat(total.get("costUsd").decimalValue()).isEqualByComparingTo(expected.cost);
        assertThat(total.get("modelCalls").asLong()).isEqualTo(modelCalls);
        assertThat(total.get("toolCalls").asLong()).isEqualTo(toolCalls);
        assertThat(total.get("toolFailures").asLong()).isEqualTo(toolFailures);
        assertThat(total.get("waitsForDecision").asLong()).as("each approving run waited once").isEqualTo(30);
        assertThat(total.get("sessions").asLong()).isEqualTo(4);
        assertThat(total.get("turns").asLong()).isEqualTo(20);
        assertThat(total.get("errorRate").asDouble()).isEqualTo((double) (expected.statuses.getOrDefault("failed", 0L)
                + expected.statuses.getOrDefault("timed_out", 0L)) / expected.runs);
        assertThat(total.get("latencyP50Ms").asLong()).isLessThanOrEqualTo(total.get("latencyP90Ms").asLong());
        assertThat(total.get("latencyP90Ms").asLong()).isLessThanOrEqualTo(total.get("latencyP99Ms").asLong());
        assertThat(total.has("agent")).as("not grouped by agent").isFalse();

        JsonNode perAgent = owner.get("/api/v1/analytics/usage?groupBy=agent,model&sort=-runs").expect(200).json();
        assertThat(perAgent.get("rows")).hasSize(4);
        for (JsonNode row : perAgent.get("rows")) {
            Totals agent = byAgent.get(row.get("agent").asString());
            assertThat(row.get("runs").asLong()).isEqualTo(agent.runs);
            assertThat(row.get("tokensIn").asLong() + row.get("tokensOut").asLong())
                .isEqualTo(agent.tokensIn + agent.tokensOut);
            assertThat(row.get("costUsd").decimalValue()).isEqualByComparingTo(agent.cost);
            assertThat(row.get("model").asString()).endsWith("/demo-echo");
        }
        assertThat(perAgent.at("/rows/0/runs").asLong()).isGreaterThanOrEqualTo(perAgent.at("/rows/1/runs").asLong());
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        JsonNode oneAgentByDay = owner.get("/api/v1/analytics/usage?groupBy=day&agent=" + calculating + "&from="
                + today.minusDays(1) + "&to=" + today).expect(200).json();
        assertThat(oneAgentByDay.get("rows").findValuesAsString("day")).isNotEmpty()
            .isSubsetOf(today.toString(), today.minusDays(1).toString());
        assertThat(oneAgentByDay.get("rows").findValues("runs").stream().mapToLong(JsonNode::asLong).sum())
            .isEqualTo(byAgent.get(calculating).runs);

        JsonNode tools = owner.get("/api/v1/analytics/tools?groupBy=tool").expect(200).json().get("rows");
        assertThat(tools).hasSize(1);
        assertThat(tools.at("/0/tool").asString()).isEqualTo("builtin.calculator");
        assertThat(tools.at("/0/calls").asLong()).isEqualTo(toolCalls);
        assertThat(tools.at("/0/failures").asLong()).isEqualTo(toolFailures);

        Api.Reply csv = owner.call("GET", "/api/v1/analytics/usage?groupBy=agent").header("Accept", "text/csv").send()
            .expect(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.header("Content-Disposition").orElseThrow()).contains("attachment");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines).hasSize(5);
        List<String> header = List.of(lines[0].split(","));
        assertThat(header).startsWith("agent", "runs").doesNotContain("day", "model");
        long csvRuns = IntStream.range(1, lines.length)
            .mapToLong(i -> Long.parseLong(lines[i].split(",")[header.indexOf("runs")]))
            .sum();
        assertThat(csvRuns).isEqualTo(expected.runs);

        Api stranger = newTenant(api, "ax").owner();
        assertThat(stranger.get("/api/v1/analytics/usage").expect(200).json().at("/rows/0/runs").asLong(0))
            .as("another tenant's report holds none of these runs").isZero();
    }

    @Test
    void badReportParametersAreRefusedWithTheParameterNamed() {
        Api owner = newTenant(api, "ap").owner();
        assertThat(owner.get("/api/v1/analytics/usage?groupBy=tool").expect(400).json().get("type").asString())
            .endsWith("/invalid-parameter");
        assertThat(owner.get("/api/v1/analytics/usage?from=2026-02-01&to=2026-01-01").expect(400).json()
            .toString()).contains("from");
        assertThat(owner.get("/api/v1/analytics/usage?from=2020-01-01&to=2026-01-01").status()).isEqualTo(400);
        assertThat(owner.get("/api/v1/analytics/tools?sort=-tokens").status()).isEqualTo(400);
        assertThat(owner.get("/api/v1/analytics/usage?from=yesterday").status()).isEqualTo(400);
        assertThat(owner.get("/api/v1/analytics/usage?limit=0").status()).isEqualTo(400);
        assertThat(owner.get("/api/v1/analytics/usage?groupBy=day").expect(200).json().get("rows")).isEmpty();
    }

    /** What run records add up to. */
    private static final class Totals {

        long runs;
        long tokensIn;
        long tokensOut;
        BigDecimal cost = BigDecimal.ZERO;
        final Map<String, Long> statuses = new HashMap<>();

        void add(JsonNode run) {
            runs++;
            tokensIn += run.get("tokensIn").asLong();
            tokensOut += run.get("tokensOut").asLong();
            if (!run.get("estimatedCostUsd").isNull()) {
                cost = cost.add(run.get("estimatedCostUsd").decimalValue());
            }
            statuses.merge(run.get("status").asString(), 1L, Long::sum);
        }
    }

    private static List<JsonNode> runs(Api owner) {
        List<JsonNode> runs = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = owner.get("/api/v1/runs?limit=200" + (cursor == null ? "" : "&cursor=" + cursor))
                .expect(200).json();
            page.get("items").forEach(runs::add);
            cursor = page.path("nextCursor").isString() ? page.get("nextCursor").asString() : null;
        }
        while (cursor != null);
        return runs;
    }

    private static String agent(Api owner, String tool, String provider) {
        ObjectNode body = Agents.create(uniqueSlug("counted"), Map.of());
        ObjectNode config = (ObjectNode) body.get("config");
        config.set("tools", Api.JSON.valueToTree(tool == null ? List.of() : List.of(Map.of("name", tool))));
        ((ObjectNode) config.get("model")).put("provider", provider);
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        return slug;
    }

    private static JsonNode run(Api owner, String agent, String input) {
        return owner.post("/api/v1/runs", Map.of("agent", agent, "input", input, "variables", VARIABLES)).expect(201)
            .json().get("run");
    }
}
