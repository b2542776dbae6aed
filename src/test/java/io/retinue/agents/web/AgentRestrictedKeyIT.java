package io.retinue.agents.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;

/** An API key restricted to some agents sees and touches only those; the others do not exist for it. */
class AgentRestrictedKeyIT extends PlatformIT {

    @Test
    void aRestrictedKeyReachesOnlyItsAgents() {
        String allowed = uniqueSlug("allowed");
        String other = uniqueSlug("other");
        String allowedId = api.post("/api/v1/agents", Agents.create(allowed, Map.of())).json().get("id").asString();
        String otherId = api.post("/api/v1/agents", Agents.create(other, Map.of())).json().get("id").asString();
        String later = uniqueSlug("later");
        Api restricted = api.as(api.post("/api/v1/api-keys", Map.of("name", "one-agent", "role", "developer",
                "agents", List.of(allowedId, later))).json().get("secret").asString());

        assertThat(restricted.get("/api/v1/agents/" + allowed).status()).isEqualTo(200);
        assertThat(restricted.post("/api/v1/agents/" + allowed + "/versions/1/publish", "").status()).isEqualTo(200);
        assertThat(restricted.get("/api/v1/agents/" + other).status()).isEqualTo(404);
        assertThat(restricted.get("/api/v1/agents/" + otherId + "/versions").status()).isEqualTo(404);
        assertThat(restricted.post("/api/v1/agents/" + other + "/archive", "").status()).isEqualTo(404);
        assertThat(restricted.get("/api/v1/agents/" + other + "/export").status()).isEqualTo(404);
        assertThat(restricted.get("/api/v1/agents?limit=200").json().get("items").valueStream()
            .map(item -> item.get("slug").asString())).containsExactly(allowed);

        assertThat(restricted.post("/api/v1/agents", Agents.create(later, Map.of())).status())
            .as("a slug named in the restriction may be created").isEqualTo(201);
        assertThat(restricted.post("/api/v1/agents", Agents.create(uniqueSlug("elsewhere"), Map.of())).status())
            .isEqualTo(403);
        assertThat(api.get("/api/v1/agents/" + other).status()).as("unrestricted keys see everything").isEqualTo(200);
    }
}
