package io.retinue.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.retinue.shared.TenantId;
import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the runtime's {@link AgentDependents} must answer, in-process or remote: nothing for an agent nothing uses,
 * and for one with a run waiting for approval and an active schedule, a reason for each — of its own tenant only.
 * The agent, its run and its schedule are made through the public API.
 */
public abstract class AgentDependentsContract extends PlatformIT {

    protected abstract AgentDependents dependents();

    /** An agent of the owner's tenant that may call the calculator, published; its id and slug. */
    private record Agent(AgentId id, String slug) {
    }

    @Test
    void anAgentNothingUsesHasNoDependents() {
        TestTenant tenant = newTenant(api, "dn");
        Agent agent = publishedAgent(tenant.owner());
        assertThat(dependents().dependentsOf(new TenantId(tenant.id()), agent.id(), agent.slug())).isEmpty();
    }

    @Test
    void aRunInProgressAndAnActiveScheduleAreDependents() {
        TestTenant tenant = newTenant(api, "dr");
        Api owner = tenant.owner();
        Agent agent = publishedAgent(owner);
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + agent.slug(), "tools", "builtin.calculator",
                "effect", "require_approval")).expect(201);
        JsonNode run = owner.post("/api/v1/runs", Map.of("agent", agent.slug(), "input", "What is 6 * 7?",
                "variables", Map.of("company", "ACME"))).json();
        assertThat(run.at("/run/status").asString()).as(run.toString()).isEqualTo("requires_action");
        String schedule = owner.post("/api/v1/schedules", Map.of("agent", agent.slug(), "input", "tick", "variables",
                Map.of("company", "ACME"), "cron", "0 0 1 1 *", "timeZone", "UTC")).expect(201).json().get("id")
            .asString();

        assertThat(dependents().dependentsOf(new TenantId(tenant.id()), agent.id(), agent.slug())).containsExactly(
                "1 run(s) in progress or waiting for approval", "1 active schedule(s): " + schedule);
        assertThat(dependents().dependentsOf(new TenantId(newTenant(api, "do").id()), agent.id(), agent.slug()))
            .as("another tenant's").isEmpty();
    }

    private Agent publishedAgent(Api owner) {
        ObjectNode body = Agents.create(uniqueSlug("dependent"), Map.of());
        ((ObjectNode) body.get("config")).set("tools", Api.JSON.valueToTree(List.of(Map.of("name",
                "builtin.calculator"))));
        String slug = body.get("slug").asString();
        String id = owner.post("/api/v1/agents", body).expect(201).json().get("id").asString();
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        return new Agent(new AgentId(UUID.fromString(id)), slug);
    }
}
