package io.retinue.split;

import static io.retinue.testing.Instances.portOf;
import static io.retinue.testing.Instances.start;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

import io.retinue.agents.AgentDependents;
import io.retinue.agents.TenantProviders;
import io.retinue.agents.ToolAvailability;
import io.retinue.runtime.remote.HttpAgentDependents;
import io.retinue.runtime.remote.HttpTenantProviders;
import io.retinue.shared.Caller;
import io.retinue.shared.Role;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.InternalTokens;
import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.FakeModelServer;
import io.retinue.testing.PlatformIT;
import io.retinue.tools.remote.HttpToolAvailability;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agents module as a service of its own: an agents-only instance asks the runtime and the tools module, which it
 * does not run (the platform under test stands in for them), over their internal endpoints whether an agent may be
 * deleted, which model providers a tenant defines and which named tools a run would not be offered.
 */
class AgentsServiceIT extends PlatformIT {

    private static ConfigurableApplicationContext agents;

    @Autowired
    InternalTokens tokens;

    @AfterAll
    static void stopAgents() {
        if (agents != null) {
            agents.close();
            agents = null;
        }
    }

    @Test
    void asksTheRuntimeAndTheToolsModuleItDoesNotRun() {
        if (agents == null) {
            String platform = "http://127.0.0.1:" + port;
            agents = start("agents", 0, "--retinue.services.gateway.url=" + platform,
                    "--retinue.services.runtime.url=" + platform, "--retinue.services.tools.url=" + platform);
        }
        assertThat(agents.getBean(AgentDependents.class)).isInstanceOf(HttpAgentDependents.class);
        assertThat(agents.getBean(TenantProviders.class)).isInstanceOf(HttpTenantProviders.class);
        assertThat(agents.getBean(ToolAvailability.class)).isInstanceOf(HttpToolAvailability.class);
        // A service of the split shape is scraped on its own port with the scrape token, and takes nothing else there.
        Api service = new Api(portOf(agents), ADMIN_KEY);
        assertThat(service.call("GET", "/actuator/prometheus").anonymous()
            .header("Authorization", "Bearer " + SCRAPE_TOKEN).send().expect(200).body()).contains("jvm_memory_used_bytes");
        assertThat(service.get("/actuator/prometheus").status()).isEqualTo(401);

        TestTenant tenant = newTenant(api, "as");
        Caller owner = new Caller(new TenantId(tenant.id()), "key:splitowner1", Role.OWNER.scopes());
        tenant.owner().put("/api/v1/model-providers/team", Map.of("type", "openai", "baseUrl",
                FakeModelServer.get().baseUrl(), "models", List.of("team-model"))).expect(200);

        ObjectNode config = Agents.config("team-model", 0.2);
        ((ObjectNode) config.get("model")).put("provider", "team");
        config.set("tools", Api.JSON.valueToTree(List.of(Map.of("name", "nope.missing"))));
        JsonNode report = asOwner(owner, "POST", "/api/v1/agent-configs/validate", config).expect(200).json();
        assertThat(report.get("valid").asBoolean()).as(report.toString()).isTrue();
        assertThat(report.at("/warnings/0/detail").asString()).contains("there is no tool of that name");
        ((ObjectNode) config.get("model")).put("name", "other-model");
        assertThat(asOwner(owner, "POST", "/api/v1/agent-configs/validate", config).expect(200).json().get("valid")
            .asBoolean()).as("the tenant's connection does not offer it").isFalse();

        String slug = uniqueSlug("split");
        tenant.owner().post("/api/v1/agents", Agents.create(slug, Map.of())).expect(201);
        tenant.owner().post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        tenant.owner().post("/api/v1/schedules", Map.of("agent", slug, "input", "tick", "variables",
                Map.of("company", "ACME"), "cron", "0 0 1 1 *", "timeZone", "UTC")).expect(201);
        Api.Reply inUse = asOwner(owner, "DELETE", "/api/v1/agents/" + slug, null);
        assertThat(inUse.status()).as(inUse.toString()).isEqualTo(409);
        assertThat(inUse.json().at("/dependents/0").asString()).startsWith("1 active schedule(s)");
    }

    /** A request to the agents instance as the gateway would forward it: with an internal token for the caller. */
    private Api.Reply asOwner(Caller owner, String method, String path, Object body) {
        Api.Call call = new Api(portOf(agents), null).call(method, path)
            .anonymous()
            .header("Authorization", "Bearer " + tokens.mint(owner, "agents"));
        return (body == null ? call : call.json(body)).send();
    }
}
