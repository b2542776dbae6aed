package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;
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
        // 24 slow runs: with 16 workers and at most 8 per tenant, they take three rounds of four seconds, and the other
        // tenant's run must not wait for the first round to end.
        for (int i = 0; i < 24; i++) {
            assertThat(busy.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", busyAgent, "input",
                    "[[slow:4000]] backlog " + i, "variables", Map.of("company", "ACME"))).send().status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> busy.get("/api/v1/runs?agent=" + busyAgent
                + "&status=running&limit=200").json().get("items").size() == 8);
        String location = other.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", otherAgent, "input",
                "quick", "variables", Map.of("company", "ACME"))).send().header("Location").orElseThrow();
        assertThat(busy.get("/api/v1/runs?agent=" + busyAgent + "&status=running&limit=200").json().get("items"))
            .as("never more than max-per-tenant at once").hasSizeLessThanOrEqualTo(8);
        await().atMost(Duration.ofSeconds(30)).until(() -> busy.get("/api/v1/runs?agent=" + busyAgent
                + "&status=completed&limit=200").json().get("items").size() == 24);
        // Judged from when each run's model call began (its first step), not from a look at the queue while the first
        // round runs: on a slow machine that round could end before the look, and the backlog had rightly moved on.
        List<Instant[]> backlog = new ArrayList<>();
        for (JsonNode run : busy.get("/api/v1/runs?agent=" + busyAgent + "&limit=200").json().get("items")) {
            JsonNode read = busy.get("/api/v1/runs/" + run.get("id").asString()).json();
            backlog.add(new Instant[] { began(read), Instant.parse(read.at("/run/finishedAt").asString()) });
        }
        backlog.sort(Comparator.comparing(run -> run[0]));
        Instant otherBegan = began(other.get(location).json());
        assertThat(otherBegan).as("the other tenant's run began before the backlog's second round")
            .isBefore(backlog.get(8)[0]);
        List<String> rounds = backlog.stream().map(run -> run[0] + " to " + run[1]).toList();
        for (Instant[] run : backlog) {
            long overlapping = backlog.stream().filter(one -> !one[0].isAfter(run[0]) && one[1].isAfter(run[0])).count();
            assertThat(overlapping).as("never more than max-per-tenant at once: %s", rounds).isLessThanOrEqualTo(8);
        }
    }

    private static Instant began(JsonNode run) {
        assertThat(run.at("/run/status").asString()).isEqualTo("completed");
        return Instant.parse(run.at("/steps/0/startedAt").asString());
    }
}
