package io.retinue.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.retinue.shared.Caller;
import io.retinue.shared.Scopes;
import io.retinue.shared.TenantId;
import io.retinue.testing.Api;
import io.retinue.testing.PlatformIT.TestTenant;
import io.retinue.testing.TestUpstream;

/** What the tools contracts set up through the public API, as a tenant's owner would: grants and HTTP tools. */
final class ToolFixtures {

    private ToolFixtures() {
    }

    /** The runtime acting for the tenant, as it calls the tools module. */
    static Caller runtimeOf(TestTenant tenant) {
        return new Caller(new TenantId(tenant.id()), "runtime", Set.of(Scopes.RUNS_EXECUTE));
    }

    static void grant(Api owner, String subject, String tools, String effect) {
        Api.Reply grant = owner.post("/api/v1/tool-grants", Map.of("subject", subject, "tools", tools, "effect", effect));
        assertThat(grant.status()).as(grant.toString()).isEqualTo(201);
    }

    /** Registers an HTTP tool calling the shared test upstream at {@code path}; {@code extra} adds or overrides fields. */
    static void httpTool(Api owner, String name, String method, String path, Map<String, Object> extra) {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("name", name);
        tool.put("description", "Test tool " + name);
        tool.put("kind", "http");
        tool.put("inputSchema", Map.of("type", "object"));
        tool.put("http", Map.of("method", method, "url", upstream(path)));
        tool.putAll(extra);
        Api.Reply registered = owner.post("/api/v1/tools", tool);
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
    }

    /** The shared test upstream's {@code path}, by the name tools may reach it by. */
    static String upstream(String path) {
        return "http://localhost:" + TestUpstream.shared().port() + path;
    }

    /** A tool name no other test uses (the guard's breakers are per tool name, across tenants). */
    static String uniqueTool(String what) {
        return "t" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "." + what;
    }
}
