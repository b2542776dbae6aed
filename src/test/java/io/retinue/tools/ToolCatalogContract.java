package io.retinue.tools;

import static io.retinue.tools.ToolFixtures.grant;
import static io.retinue.tools.ToolFixtures.runtimeOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.retinue.shared.Caller;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;

/**
 * What every {@link ToolCatalog} must do, in-process or remote: offer an agent the enabled tools a grant allows or
 * holds for approval, with their schemas, and none that a grant denies, that no grant covers or that belong to
 * another tenant. Tenants, tools and grants are set up through the public API, as their owners would.
 */
public abstract class ToolCatalogContract extends PlatformIT {

    protected abstract ToolCatalog catalog();

    @Test
    void offersWhatTheAgentIsAllowedOrMayAskApprovalForWithTheirSchemas() {
        TestTenant tenant = newTenant(api, "tc");
        Api owner = tenant.owner();
        String lookup = ToolFixtures.uniqueTool("lookup");
        Map<String, Object> inputSchema = Map.of("type", "object", "required", List.of("id"), "properties",
                Map.of("id", Map.of("type", "string", "maxLength", 64)));
        Map<String, Object> outputSchema = Map.of("type", "object", "properties", Map.of("found", Map.of("type",
                "boolean")));
        ToolFixtures.httpTool(owner, lookup, "GET", "/ok", Map.of("inputSchema", inputSchema, "outputSchema",
                outputSchema, "tags", List.of("crm", "read-only"), "idempotent", true));
        grant(owner, "agent:helper", "builtin.calculator", "allow");
        grant(owner, "agent:helper", lookup, "require_approval");
        grant(owner, "agent:helper", "builtin.clock", "allow");
        grant(owner, "*", "builtin.clock", "deny");
        Caller runtime = runtimeOf(tenant);

        List<ToolDescriptor> offered = catalog().availableTo(runtime, "helper");

        assertThat(offered).extracting(ToolDescriptor::name).containsExactlyInAnyOrder("builtin.calculator", lookup);
        ToolDescriptor calculator = offered.stream().filter(tool -> tool.kind().equals("builtin")).findFirst().orElseThrow();
        assertThat(calculator.inputSchema().at("/required/0").asString()).isEqualTo("expression");
        assertThat(calculator.outputSchema()).isNull();
        ToolDescriptor registered = offered.stream().filter(tool -> tool.name().equals(lookup)).findFirst().orElseThrow();
        assertThat(registered).isEqualTo(new ToolDescriptor(lookup, 1, "http", "Test tool " + lookup,
                Api.JSON.valueToTree(inputSchema), Api.JSON.valueToTree(outputSchema), Set.of("crm", "read-only"), true));
    }

    @Test
    void offersNothingNoGrantCovers() {
        TestTenant tenant = newTenant(api, "tn");
        grant(tenant.owner(), "agent:helper", "builtin.calculator", "allow");
        Caller runtime = runtimeOf(tenant);

        assertThat(catalog().availableTo(runtime, "someone-else")).isEmpty();
        assertThat(catalog().availableTo(runtime, null)).as("no agent: agent grants do not apply").isEmpty();
        assertThat(catalog().availableTo(runtime, "helper&agent=helper")).as("an agent is one name").isEmpty();
    }

    @Test
    void anotherTenantIsOfferedNoneOfThisOnesTools() {
        TestTenant tenant = newTenant(api, "to");
        String lookup = ToolFixtures.uniqueTool("lookup");
        ToolFixtures.httpTool(tenant.owner(), lookup, "GET", "/ok", Map.of());
        grant(tenant.owner(), "*", "*", "allow");
        TestTenant other = newTenant(api, "to");

        assertThat(catalog().availableTo(runtimeOf(tenant), "helper")).extracting(ToolDescriptor::name).contains(lookup);
        assertThat(catalog().availableTo(runtimeOf(other), "helper")).isEmpty();
        grant(other.owner(), "*", "*", "allow");
        assertThat(catalog().availableTo(runtimeOf(other), "helper")).extracting(ToolDescriptor::name)
            .isNotEmpty()
            .doesNotContain(lookup);
    }
}
