package io.retinue.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.retinue.shared.TenantId;
import io.retinue.testing.FakeModelServer;
import io.retinue.testing.PlatformIT;

/**
 * What the runtime's {@link TenantProviders} must answer, in-process or remote: the tenant's own model provider
 * connections by name with the models each offers (none listed: any), and none of another tenant's or the
 * installation's. Connections are defined through the public API.
 */
public abstract class TenantProvidersContract extends PlatformIT {

    protected abstract TenantProviders providers();

    @Test
    void aTenantsOwnConnectionsWithTheirModels() {
        TestTenant tenant = newTenant(api, "tp");
        TenantId id = new TenantId(tenant.id());
        assertThat(providers().providersOf(id)).isEmpty();

        tenant.owner().put("/api/v1/model-providers/team-b", Map.of("type", "openai", "baseUrl",
                FakeModelServer.get().baseUrl())).expect(200);
        tenant.owner().put("/api/v1/model-providers/team-a", Map.of("type", "openai", "baseUrl",
                FakeModelServer.get().baseUrl(), "models", List.of("demo-echo", "demo-json"))).expect(200);

        assertThat(providers().providersOf(id)).containsExactly(Map.entry("team-a", List.of("demo-echo", "demo-json")),
                Map.entry("team-b", List.of()));
        assertThat(providers().providersOf(new TenantId(newTenant(api, "to").id()))).as("another tenant's").isEmpty();
    }
}
