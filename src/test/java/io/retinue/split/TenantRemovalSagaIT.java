package io.retinue.split;

import static io.retinue.testing.Instances.portOf;
import static io.retinue.testing.Instances.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TcpProxy;

/**
 * Removing a tenant is a saga: a gateway service suspends the tenant, asks every service to stop its work, and only
 * then has them erase it. Here the runtime service cannot be reached when asked: nothing is erased, the removal
 * answers 503, and — since the runtime may have stopped the work all the same — the tenant stays suspended (its
 * callers refused) until the runtime answers again; then the suspension is undone everywhere and the tenant works as
 * before. The platform under test stands in for the agents, runtime and tools services.
 */
class TenantRemovalSagaIT extends PlatformIT {

    private static ConfigurableApplicationContext gateway;
    private static TcpProxy runtime;

    @Autowired
    JdbcClient jdbc;

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aRemovalTheRuntimeCannotBeAskedForIsUndoneOnceItAnswers() {
        runtime = new TcpProxy(port).start();
        String platform = "http://127.0.0.1:" + port;
        gateway = start("gateway", 0, "--retinue.services.agents.url=" + platform,
                "--retinue.services.tools.url=" + platform,
                "--retinue.services.runtime.url=http://127.0.0.1:" + runtime.port(),
                "--retinue.gateway.tenant-removal.stalled-after=2s",
                "--retinue.gateway.tenant-removal.check-interval=500ms");
        TestTenant tenant = newTenant(api, "rs");
        Api admin = new Api(portOf(gateway), ADMIN_KEY);
        // Keys are the gateway's own (served by it); agents straight at the platform, standing in for the service.
        Api owner = admin.as(tenant.owner().apiKey());
        owner.get("/api/v1/api-keys").expect(200);
        String slug = uniqueSlug("rs");
        tenant.owner().post("/api/v1/agents", io.retinue.testing.Agents.create(slug, java.util.Map.of())).expect(201);

        runtime.stop();
        Reply refused = admin.delete("/api/v1/tenants/" + tenant.id());
        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.json().get("type").asString()).endsWith("/service-unavailable");
        assertThat(refused.header("Retry-After")).isPresent();
        assertThat(admin.get("/api/v1/tenants/" + tenant.id()).json().get("status").asString())
            .as("not put back while the runtime may hold the work stopped").isEqualTo("suspending");
        assertThat(owner.get("/api/v1/api-keys").status()).as("its callers are refused").isEqualTo(401);

        runtime.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> admin.get("/api/v1/tenants/" + tenant.id()).json().get("status").asString(), "active"::equals);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM runtime.suspended_tenant WHERE tenant_id = :tenant")
            .param("tenant", tenant.id())
            .query(Long.class)
            .single()).as("the runtime resumed the tenant's work").isZero();
        owner.get("/api/v1/api-keys").expect(200);
        Reply agent = tenant.owner().get("/api/v1/agents/" + slug);
        assertThat(agent.status()).as("nothing was erased: %s", agent).isEqualTo(200);
    }
}
