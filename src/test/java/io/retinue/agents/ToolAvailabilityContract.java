package io.retinue.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.retinue.agents.ToolAvailability.Withheld;
import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;

/**
 * What the tools module's {@link ToolAvailability} must answer, in-process or remote: of the tools a configuration
 * names, those that do not exist or are disabled, and — for an agent — those no grant gives it for the caller, whose
 * scopes a grant may name. Tools and grants are made through the public API.
 */
public abstract class ToolAvailabilityContract extends PlatformIT {

    private static final String NOT_GRANTED = "no grant lets agent 'helper' use it (for this caller): runs will not "
            + "be offered it until one does";

    protected abstract ToolAvailability availability();

    @Test
    void withholdsUnknownDisabledAndUngrantedTools() {
        TestTenant tenant = newTenant(api, "ta");
        Api owner = tenant.owner();
        String disabled = "t" + tenant.id() + ".off";
        owner.post("/api/v1/tools", Map.of("name", disabled, "description", "Disabled", "kind", "http",
                "inputSchema", Map.of("type", "object"), "http", Map.of("method", "GET", "url",
                        "http://localhost:" + TestUpstream.shared().port() + "/ok"))).expect(201);
        owner.post("/api/v1/tools/" + disabled + "/disable", "").expect(200);
        Caller caller = new Caller(new TenantId(tenant.id()), "key:contract0001", Set.of("runs:execute"));
        List<String> names = List.of("builtin.calculator", "nope.missing", disabled);

        assertThat(availability().withheld(caller, null, names)).as("without an agent, grants are not looked at")
            .containsExactly(new Withheld("nope.missing", "there is no tool of that name"),
                    new Withheld(disabled, "the tool is disabled"));
        assertThat(availability().withheld(caller, "helper", names)).containsExactly(
                new Withheld("builtin.calculator", NOT_GRANTED),
                new Withheld("nope.missing", "there is no tool of that name"),
                new Withheld(disabled, "the tool is disabled"));
        assertThat(availability().withheld(caller, "helper", List.of())).isEmpty();
    }

    @Test
    void aGrantCountsForTheCallerItNames() {
        TestTenant tenant = newTenant(api, "tg");
        tenant.owner().post("/api/v1/tool-grants", Map.of("subject", "scope:runs:execute", "tools", "builtin.*",
                "effect", "allow")).expect(201);
        TenantId id = new TenantId(tenant.id());
        List<String> names = List.of("builtin.calculator");

        assertThat(availability().withheld(new Caller(id, "key:contract0002", Set.of("runs:execute")), "helper", names))
            .isEmpty();
        assertThat(availability().withheld(new Caller(id, "key:contract0003", Set.of("agents:read")), "helper", names))
            .containsExactly(new Withheld("builtin.calculator", NOT_GRANTED));
    }
}
