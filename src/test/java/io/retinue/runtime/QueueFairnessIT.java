package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.node.ObjectNode;

/** One tenant's backlog does not hold up another tenant's runs: a tenant gets at most max-per-tenant workers. */
class QueueFairnessIT extends PlatformIT {

    private String agent(Api as) {
        ObjectNode body = Agents.create(uniqueSlug("fair"), Map.of());
        ((ObjectNode) body.get("config").get("model")).put("provider", "fake");
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.createArrayNode());
        String slug = body.get("slug").asString();
        as.post("/api/v1/agents", body);
        as.post("/api/v1/agents/" + slug + "/versions/1/publish", "");
        return slug;
    }

    @Test
    void aTenantsBacklogDoesNotStarveAnotherTenant() {
        Api busy = newTenant(api, "fb").owner();
        Api other = newTenant(api, "fo").owner();
        String busyAgent = agent(busy);
        String otherAgent = agent(other);
        // 24 slow runs: with 16 workers and at most 8 per tenant, they take three rounds of four seconds — long enough
        // that the first round is still running when the other tenant's run is done, however slow the machine (at two
        // seconds a round it had ended once, in a full suite on a loaded machine, and the backlog had moved on).
        for (int i = 0; i < 24; i++) {
            assertThat(busy.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", busyAgent, "input",
                    "[[slow:4000]] backlog " + i, "variables", Map.of("company", "ACME"))).send().status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> busy.get("/api/v1/runs?agent=" + busyAgent
                + "&status=running&limit=200").json().get("items").size() == 8);
        String location = other.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", otherAgent, "input",
                "quick", "variables", Map.of("company", "ACME"))).send().header("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> other.get(location).json().at("/run/status").asString().equals("completed"));
        assertThat(busy.get("/api/v1/runs?agent=" + busyAgent + "&status=queued&limit=200").json().get("items").size())
            .as("the other tenant's run went first, the backlog still waits").isGreaterThan(8);
        assertThat(busy.get("/api/v1/runs?agent=" + busyAgent + "&status=running&limit=200").json().get("items"))
            .as("never more than max-per-tenant at once").hasSizeLessThanOrEqualTo(8);
        await().atMost(Duration.ofSeconds(30)).until(() -> busy.get("/api/v1/runs?agent=" + busyAgent
                + "&status=completed&limit=200").json().get("items").size() == 24);
    }
}
