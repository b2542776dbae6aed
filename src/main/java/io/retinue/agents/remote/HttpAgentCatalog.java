package io.retinue.agents.remote;

import java.util.Optional;

import org.springframework.stereotype.Component;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentSpec;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;

/** {@link AgentCatalog} where the agents module runs in another process: its {@link AgentCatalogEndpoint}. */
@Component
@ConditionalOnModule(value = "agents", runsHere = false)
public class HttpAgentCatalog implements AgentCatalog {

    private final ModuleClient agents;

    public HttpAgentCatalog(ModuleClients clients) {
        this.agents = clients.of("agents");
    }

    @Override
    public Optional<AgentSpec> spec(TenantId tenant, String agentIdOrSlug, Integer version) {
        return agents.get(agents.actingFor(tenant), uri -> uri.path("/internal/v1/agents/{agent}/spec")
            .queryParamIfPresent("version", Optional.ofNullable(version))
            .build(agentIdOrSlug), AgentSpec.class);
    }
}
