package io.retinue.runtime.remote;

import java.util.List;

import org.springframework.stereotype.Component;

import io.retinue.agents.AgentDependents;
import io.retinue.agents.AgentId;
import io.retinue.shared.TenantId;
import io.retinue.shared.topology.ConditionalOnModule;
import io.retinue.shared.topology.ModuleClient;
import io.retinue.shared.topology.ModuleClients;

/**
 * The runtime's {@link AgentDependents} where the agents module runs and the runtime runs in another process: its
 * {@link AgentDependentsEndpoint}. A runtime that cannot be asked stops the deletion (503), never lets it through.
 */
@Component
@ConditionalOnModule("agents")
@ConditionalOnModule(value = "runtime", runsHere = false)
public class HttpAgentDependents implements AgentDependents {

    private final ModuleClient runtime;

    public HttpAgentDependents(ModuleClients clients) {
        this.runtime = clients.of("runtime");
    }

    @Override
    public List<String> dependentsOf(TenantId tenant, AgentId agent, String slug) {
        return runtime.get(runtime.actingFor(tenant), uri -> uri.path("/internal/v1/runtime/agents/{agent}/dependents")
            .queryParam("slug", slug)
            .build(agent.value()), String[].class)
            .map(List::of)
            .orElse(List.of());
    }
}
