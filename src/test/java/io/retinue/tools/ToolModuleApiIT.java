package io.retinue.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.shared.Caller;
import io.retinue.shared.Scopes;
import io.retinue.shared.TenantId;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestUpstream;

/** What the runtime will use: the tools an agent may see, and calls with an idempotency key. */
class ToolModuleApiIT extends PlatformIT {

    @Autowired
    ToolCatalog catalog;

    @Autowired
    ToolCalls calls;

    @Test
    void listsOnlyTheToolsAnAgentIsGrantedWithTheirSchemas() {
        TestTenant made = newTenant(api, "ma");
        Api owner = made.owner();
        String tenant = made.id();
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:helper", "tools", "builtin.calculator", "effect", "allow"));
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:helper", "tools", "builtin.clock", "effect", "require_approval"));
        owner.post("/api/v1/tool-grants", Map.of("subject", "*", "tools", "builtin.clock", "effect", "deny"));
        Caller runtime = new Caller(new TenantId(tenant), "runtime", Set.of(Scopes.RUNS_EXECUTE));

        assertThat(catalog.availableTo(runtime, "helper")).extracting(ToolDescriptor::name)
            .containsExactly("builtin.calculator");
        assertThat(catalog.availableTo(runtime, "helper").getFirst().inputSchema().at("/required/0").asString())
            .isEqualTo("expression");
        assertThat(catalog.availableTo(runtime, "someone-else")).isEmpty();
    }

    @Test
    void aCallWithAnIdempotencyKeyRunsOnce() {
        TestTenant made = newTenant(api, "mi");
        Api owner = made.owner();
        String tenant = made.id();
        owner.post("/api/v1/tool-grants", Map.of("subject", "*", "tools", "*", "effect", "allow"));
        TestUpstream upstream = TestUpstream.shared();
        owner.post("/api/v1/tools", Map.of("name", "once.ok", "description", "counts", "kind", "http",
                "inputSchema", Map.of("type", "object"),
                "http", Map.of("method", "POST", "url", "http://localhost:" + upstream.port() + "/ok")));
        Caller runtime = new Caller(new TenantId(tenant), "runtime", Set.of(Scopes.RUNS_EXECUTE));
        ToolCall call = new ToolCall(runtime, "helper", "once.ok", Api.JSON.createObjectNode(), "run-1/step-2/call-0");

        int before = upstream.requests();
        ToolOutcome first = calls.call(call);
        ToolOutcome second = calls.call(call);

        assertThat(first).isInstanceOf(ToolOutcome.Completed.class);
        assertThat(second).isEqualTo(first);
        assertThat(upstream.requests() - before).isEqualTo(1);
    }

}
