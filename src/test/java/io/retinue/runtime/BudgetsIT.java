package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Budgets: looked at before each model call, a spent one ends the run with {@code budget_exceeded}; the tenant is sent
 * a signed notice at 80 % and 100 %, once each per period.
 */
class BudgetsIT extends PlatformIT {

    private static final Map<String, String> VARIABLES = Map.of("company", "ACME");

    @Test
    void aSpentBudgetEndsRunsBeforeTheirModelCallAndTheTenantIsToldAt80And100PerCent() throws Exception {
        TestUpstream upstream = TestUpstream.shared();
        Api owner = newTenant(api, "bu").owner();
        String secret = owner.post("/api/v1/webhooks/secret", "").json().get("secret").asString();
        String marker = "/hook/" + uniqueSlug("budget");
        owner.post("/api/v1/webhooks", Map.of("url", "http://localhost:" + upstream.port() + marker)).expect(201);
        String agent = publishedAgent(owner);

        // What one run of this agent uses: every run below uses as much (same input, same demo answer).
        JsonNode first = run(owner, agent);
        long perRun = first.get("tokensIn").asLong() + first.get("tokensOut").asLong();
        assertThat(perRun).isPositive();
        long cap = perRun * 22 / 10;
        JsonNode budget = owner.post("/api/v1/budgets", Map.of("agent", agent, "period", "day", "maxTokens", cap))
            .expect(201).json();
        assertThat(budget.at("/usage/tokens").asLong()).as("usage counts from the budget's creation").isZero();
        assertThat(budget.get("agent").asString()).isEqualTo(agent);

        assertThat(run(owner, agent).get("status").asString()).isEqualTo("completed"); // 45 %
        JsonNode second = run(owner, agent); // 91 %: the warning
        assertThat(second.get("status").asString()).isEqualTo("completed");
        JsonNode third = run(owner, agent); // 136 %: the call was allowed (the budget had room), then it is spent
        assertThat(third.get("status").asString()).isEqualTo("completed");
        JsonNode refused = run(owner, agent);
        assertThat(refused.get("status").asString()).isEqualTo("failed");
        assertThat(refused.get("errorCode").asString()).isEqualTo("budget_exceeded");
        assertThat(refused.get("steps").asInt()).as("no model call was made").isZero();
        assertThat(refused.get("error").asString()).contains("daily budget of agent '" + agent + "'")
            .contains(cap + " tokens");

        JsonNode spent = owner.get("/api/v1/budgets/" + budget.get("id").asString()).expect(200).json();
        assertThat(spent.at("/usage/tokens").asLong()).isEqualTo(3 * perRun);
        assertThat(spent.at("/usage/exhausted").asBoolean()).isTrue();
        assertThat(spent.at("/usage/percent").asInt()).isEqualTo((int) (3 * perRun * 100 / cap));

        List<TestUpstream.Hook> notices = await().atMost(Duration.ofSeconds(15)).until(() -> upstream.hooks().stream()
            .filter(hook -> hook.path().equals(marker) && hook.body().contains("budget.threshold_reached"))
            .toList(), received -> received.size() >= 2);
        Thread.sleep(500);
        assertThat(upstream.hooks().stream()
            .filter(hook -> hook.path().equals(marker) && hook.body().contains("budget.threshold_reached")))
            .as("once per threshold").hasSize(2);
        JsonNode warning = notice(notices, 80);
        JsonNode exhausted = notice(notices, 100);
        assertThat(warning.get("runId").asString()).isEqualTo(second.get("id").asString());
        assertThat(warning.get("tokensUsed").asLong()).isEqualTo(2 * perRun);
        assertThat(exhausted.get("runId").asString()).isEqualTo(third.get("id").asString());
        assertThat(exhausted.get("budgetId").asString()).isEqualTo(budget.get("id").asString());
        assertThat(exhausted.get("maxTokens").asLong()).isEqualTo(cap);
        assertThat(exhausted.get("period").asString()).isEqualTo("day");
        for (TestUpstream.Hook hook : notices) {
            String timestamp = hook.signature().replaceAll("^t=(\\d+),v1=.*$", "$1");
            assertThat(hook.signature()).endsWith("v1=" + hmac(secret, timestamp + "." + hook.body()));
        }

        // A raised cap lets runs go on.
        JsonNode raised = owner.put("/api/v1/budgets/" + budget.get("id").asString(),
                Map.of("agent", agent, "period", "day", "maxTokens", perRun * 10)).expect(200).json();
        assertThat(raised.at("/usage/exhausted").asBoolean()).isFalse();
        assertThat(raised.at("/usage/tokens").asLong()).as("usage stays").isEqualTo(3 * perRun);
        assertThat(run(owner, agent).get("status").asString()).isEqualTo("completed");
    }

    @Test
    void theTenantsCostBudgetCoversEveryAgent() {
        Api owner = newTenant(api, "bc").owner();
        String one = publishedAgent(owner);
        String other = publishedAgent(owner);
        JsonNode first = run(owner, one);
        assertThat(first.get("estimatedCostUsd").decimalValue()).isPositive();
        owner.post("/api/v1/budgets", Map.of("period", "month", "maxCostUsd",
                first.get("estimatedCostUsd").decimalValue().divide(java.math.BigDecimal.TWO))).expect(201);
        assertThat(run(owner, one).get("status").asString()).as("the budget had room").isEqualTo("completed");
        JsonNode refused = run(owner, other);
        assertThat(refused.get("errorCode").asString()).isEqualTo("budget_exceeded");
        assertThat(refused.get("error").asString()).contains("The tenant's monthly budget").contains("USD");
        JsonNode listed = owner.get("/api/v1/budgets").expect(200).json();
        assertThat(listed.get("items")).hasSize(1);
        assertThat(listed.at("/items/0/agent").isNull()).isTrue();
        assertThat(listed.at("/items/0/usage/costUsd").decimalValue())
            .isEqualByComparingTo(first.get("estimatedCostUsd").decimalValue());
    }

    @Test
    void budgetsAreCheckedAndOnlyModelAdminsSetThem() {
        Api owner = newTenant(api, "bv").owner();
        String agent = publishedAgent(owner);
        JsonNode invalid = owner.post("/api/v1/budgets", Map.of("agent", "no-such-agent", "period", "week",
                "maxTokens", -5)).expect(422).json();
        assertThat(invalid.get("errors").findValuesAsString("pointer"))
            .containsExactlyInAnyOrder("/agent", "/period", "/maxTokens");
        assertThat(owner.post("/api/v1/budgets", Map.of("period", "day")).expect(422).json()
            .at("/errors/0/pointer").asString()).isEqualTo("/maxTokens");
        assertThat(owner.post("/api/v1/budgets", Map.of("period", "day", "maxCostUsd", new java.math.BigDecimal("0.123456789"))).status())
            .isEqualTo(422);
        assertThat(owner.post("/api/v1/budgets", Map.of("period", "day", "maxTokens", 10, "extra", 1)).status())
            .isEqualTo(400);
        String id = owner.post("/api/v1/budgets", Map.of("agent", agent, "period", "day", "maxTokens", 1000))
            .expect(201).json().get("id").asString();
        JsonNode twice = owner.post("/api/v1/budgets", Map.of("agent", agent, "period", "day", "maxTokens", 5))
            .expect(409).json();
        assertThat(twice.get("type").asString()).endsWith("/runtime/budget-exists");
        assertThat(owner.put("/api/v1/budgets/" + id, Map.of("period", "month", "maxTokens", 5)).expect(422).json()
            .get("errors").findValuesAsString("pointer")).containsExactlyInAnyOrder("/agent", "/period");

        String reader = owner.post("/api/v1/api-keys", Map.of("name", "reader", "scopes", List.of("runs:read")))
            .json().get("secret").asString();
        Api asReader = owner.as(reader);
        assertThat(asReader.get("/api/v1/budgets/" + id).status()).isEqualTo(200);
        assertThat(asReader.delete("/api/v1/budgets/" + id).status()).isEqualTo(403);
        Api otherTenant = newTenant(api, "bx").owner();
        assertThat(otherTenant.get("/api/v1/budgets/" + id).status()).isEqualTo(404);
        assertThat(owner.delete("/api/v1/budgets/" + id).status()).isEqualTo(204);
        assertThat(owner.get("/api/v1/budgets/" + id).status()).isEqualTo(404);
    }

    private static String publishedAgent(Api owner) {
        ObjectNode body = Agents.create(uniqueSlug("budgeted"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        return slug;
    }

    private static JsonNode run(Api owner, String agent) {
        return owner.post("/api/v1/runs", Map.of("agent", agent, "input", "how much is left?", "variables", VARIABLES))
            .expect(201).json().get("run");
    }

    private static JsonNode notice(List<TestUpstream.Hook> hooks, int threshold) {
        return hooks.stream()
            .map(hook -> Api.JSON.readTree(hook.body()))
            .filter(body -> body.get("threshold").asInt() == threshold)
            .findFirst()
            .orElseThrow();
    }

    private static String hmac(String secret, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }
}
