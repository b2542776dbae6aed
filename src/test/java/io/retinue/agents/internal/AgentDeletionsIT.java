package io.retinue.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.shared.TenantId;
import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;

/**
 * An agent deletion whose process stopped after withdrawing the agent (the saga's first step) is not left half-done:
 * repeating the DELETE finishes it, and one nobody repeats is put back once it has been under way too long.
 */
class AgentDeletionsIT extends PlatformIT {

    @Autowired
    AgentDeletions deletions;

    @Autowired
    AgentRepository repository;

    @Test
    void aDeletionStoppedHalfWayIsPutBackAsItWas() {
        TestTenant tenant = newTenant(api, "stall");
        String slug = published(tenant.owner());
        String etag = tenant.owner().get("/api/v1/agents/" + slug).header("ETag").orElseThrow();
        stoppedHalfWay(tenant, slug, Instant.now().minus(Duration.ofMinutes(10)));
        assertThat(tenant.owner().get("/api/v1/agents/" + slug).json().get("status").asString()).isEqualTo("deleting");

        deletions.putBackStalled();

        Api.Reply back = tenant.owner().get("/api/v1/agents/" + slug).expect(200);
        assertThat(back.json().get("status").asString()).isEqualTo("active");
        assertThat(back.header("ETag")).contains(etag);
        assertThat(tenant.owner().post("/api/v1/runs", Map.of("agent", slug, "input", "hi", "variables",
                Map.of("company", "ACME"))).expect(201).json().at("/run/status").asString()).isEqualTo("completed");
    }

    @Test
    void repeatingTheDeleteFinishesADeletionUnderWay() {
        TestTenant tenant = newTenant(api, "resume");
        String slug = published(tenant.owner());
        stoppedHalfWay(tenant, slug, Instant.now());

        deletions.putBackStalled();
        assertThat(tenant.owner().get("/api/v1/agents/" + slug).json().get("status").asString())
            .as("a deletion that may still be going on is left alone")
            .isEqualTo("deleting");
        assertThat(tenant.owner().delete("/api/v1/agents/" + slug).status()).isEqualTo(204);
        assertThat(tenant.owner().get("/api/v1/agents/" + slug).status()).isEqualTo(404);
    }

    private static String published(Api owner) {
        String slug = uniqueSlug("halfway");
        owner.post("/api/v1/agents", Agents.create(slug, Map.of())).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        return slug;
    }

    /** What the saga's first step leaves when its process stops right after it. */
    private void stoppedHalfWay(TestTenant tenant, String slug, Instant startedAt) {
        Agent agent = repository.find(new TenantId(tenant.id()), slug).orElseThrow();
        Instant at = startedAt.truncatedTo(ChronoUnit.MICROS);
        repository.update(agent, agent.withdrawForDeletion(at), true);
        repository.insertDeletion(AgentDeletion.of(agent, at));
    }
}
