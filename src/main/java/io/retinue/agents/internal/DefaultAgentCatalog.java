package io.retinue.agents.internal;

import java.util.Optional;

import org.springframework.stereotype.Service;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentSpec;
import io.retinue.shared.TenantId;

/** The in-process {@link AgentCatalog}; where the agents module runs elsewhere, {@code HttpAgentCatalog} calls it. */
@Service
class DefaultAgentCatalog implements AgentCatalog {

    private final AgentRepository repository;
    private final AgentFactory factory;

    DefaultAgentCatalog(AgentRepository repository, AgentFactory factory) {
        this.repository = repository;
        this.factory = factory;
    }

    @Override
    public Optional<AgentSpec> spec(TenantId tenant, String agentIdOrSlug, Integer version) {
        // One query: every run starts here.
        return repository.findWithVersion(tenant, agentIdOrSlug, version)
            // Archived or being deleted: no new work from the live version; runs that pinned theirs go on.
            .filter(found -> version != null || found.agent().status() == AgentStatus.ACTIVE)
            .filter(found -> found.version().isPublished())
            .map(found -> factory.spec(found.agent(), found.version()));
    }
}
