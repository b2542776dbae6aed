package io.retinue.agents.internal;

import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentSpec;
import io.retinue.shared.TenantId;

/** The in-process {@link AgentCatalog}; a remote implementation will call the agents service's spec endpoint. */
@Service
class DefaultAgentCatalog implements AgentCatalog {

    private final AgentRepository repository;
    private final AgentFactory factory;

    DefaultAgentCatalog(AgentRepository repository, AgentFactory factory) {
        this.repository = repository;
        this.factory = factory;
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<AgentSpec> spec(TenantId tenant, String agentIdOrSlug, Integer version) {
        return repository.find(tenant, agentIdOrSlug).flatMap(agent -> {
            if (version == null && (agent.isArchived() || agent.liveVersion() == null)) {
                return Optional.empty();
            }
            int wanted = version == null ? agent.liveVersion() : version;
            return repository.findVersion(agent, wanted)
                .filter(AgentVersion::isPublished)
                .map(found -> factory.spec(agent, found));
        });
    }
}
