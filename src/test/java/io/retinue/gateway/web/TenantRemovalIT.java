package io.retinue.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.FakeModelServer;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Removing a tenant that has something of everything — agents, a tool and its grant, a credential, a model
 * connection, a user, a schedule firing every second, runs ended and one in progress, a session — leaves no row of it
 * in any module's tables, and refuses its callers from the moment it is asked for.
 */
class TenantRemovalIT extends PlatformIT {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aRemovedTenantLeavesNoRowInAnyModule() {
        TestTenant tenant = newTenant(api, "rm");
        Api owner = tenant.owner();
        String slug = uniqueSlug("rm");
        ObjectNode agent = Agents.create(slug, Map.of());
        ((ObjectNode) agent.get("config").get("model")).put("provider", "fake");
        owner.post("/api/v1/agents", agent).expect(201);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        owner.post("/api/v1/tools", Map.of("name", "rm.lookup", "description", "d", "kind", "http", "inputSchema",
                Map.of("type", "object"), "http", Map.of("method", "GET", "url", "https://example.com/x"))).expect(201);
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "rm.lookup", "effect", "allow"))
            .expect(201);
        owner.put("/api/v1/credentials/model-key", Map.of("kind", "api_key", "fields",
                Map.of("value", FakeModelServer.API_KEY))).expect(200);
        owner.put("/api/v1/model-providers/own", Map.of("type", "openai", "baseUrl", FakeModelServer.get().baseUrl(),
                "credential", "credential:model-key")).expect(200);
        owner.post("/api/v1/users", Map.of("email", tenant.id() + "@example.com", "password", "a long enough password",
                "role", "developer")).expect(201);
        owner.post("/api/v1/schedules", Map.of("agent", slug, "input", "tick", "variables", Map.of("company", "ACME"),
                "cron", "* * * * * *", "timeZone", "UTC")).expect(201);
        Map<String, Object> run = Map.of("agent", slug, "input", "hello", "variables", Map.of("company", "ACME"));
        owner.post("/api/v1/runs", run).expect(201);
        owner.post("/api/v1/sessions", Map.of("agent", slug)).expect(201);
        owner.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", slug, "input", "[[slow:30000]] slowly",
                "variables", Map.of("company", "ACME"))).send().expect(202);
        await().atMost(Duration.ofSeconds(15))
            .until(() -> owner.get("/api/v1/runs?agent=" + slug + "&status=running").json().get("items").size() > 0);
        assertThat(rowsOf(tenant.id())).as("the tenant has rows to remove").isNotEmpty();

        Reply removing = api.delete("/api/v1/tenants/" + tenant.id()).expect(202);
        assertThat(removing.json().get("status").asString()).isEqualTo("removing");
        assertThat(removing.json().get("removalStartedAt").asString()).isNotBlank();
        assertThat(owner.get("/api/v1/agents").status()).as("its keys are refused at once").isEqualTo(401);
        assertThat(api.delete("/api/v1/tenants/" + tenant.id()).status()).as("asking again shows how far it is")
            .isEqualTo(202);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
            .until(() -> api.get("/api/v1/tenants/" + tenant.id()).status() == 404);
        assertThat(rowsOf(tenant.id())).as("no row of the tenant left anywhere").isEmpty();
        JsonNode audit = api.get("/api/v1/audit-events?action=tenant.removed").expect(200).json().get("items");
        assertThat(audit.valueStream().map(entry -> entry.get("target").asString())).contains("tenant:" + tenant.id());
        assertThat(api.get("/api/v1/audit-events?action=tenant.removal_started").json().get("items").valueStream()
            .map(entry -> entry.get("target").asString())).contains("tenant:" + tenant.id());
    }

    @Test
    void theInstallationsOwnTenantAnUnknownOneOrAnotherTenantsCallerCannotRemoveOne() {
        Reply own = api.delete("/api/v1/tenants/default");
        assertThat(own.status()).as(own.toString()).isEqualTo(409);
        assertThat(own.json().get("type").asString()).endsWith("/gateway/tenant-not-removable");
        assertThat(api.delete("/api/v1/tenants/nobody-here").status()).isEqualTo(404);
        TestTenant tenant = newTenant(api, "rmn");
        assertThat(tenant.owner().delete("/api/v1/tenants/" + tenant.id()).status()).as("not an installation admin")
            .isEqualTo(403);
        assertThat(api.get("/api/v1/tenants/" + tenant.id()).json().get("status").asString()).isEqualTo("active");
    }

    /** Every table of every module with a tenant_id column that holds a row of {@code tenant}, with its count. */
    private List<String> rowsOf(String tenant) {
        List<String> tables = jdbc.sql("""
                SELECT table_schema || '.' || table_name FROM information_schema.columns
                WHERE column_name = 'tenant_id' AND table_schema IN ('gateway', 'agents', 'runtime', 'tools')""")
            .query(String.class)
            .list();
        assertThat(tables).as("the modules' tables are found").hasSizeGreaterThan(20);
        List<String> holding = new java.util.ArrayList<>(tables.stream()
            .filter(table -> jdbc.sql("SELECT COUNT(*) FROM " + table + " WHERE tenant_id = :tenant")
                .param("tenant", tenant)
                .query(Long.class)
                .single() > 0)
            .toList());
        if (jdbc.sql("SELECT COUNT(*) FROM gateway.tenant WHERE id = :id").param("id", tenant).query(Long.class)
            .single() > 0) {
            holding.add("gateway.tenant");
        }
        return holding;
    }
}
