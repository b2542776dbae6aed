package io.retinue.agents;

import java.util.Optional;

import io.retinue.shared.TenantId;

/**
 * What other modules (and, once split, other services) may ask of agent management: the runnable form of an agent.
 * Only published versions are ever returned; drafts are never run.
 */
public interface AgentCatalog {

    /**
     * The spec of an agent, found by id or slug within the tenant: the given published version, or the live one when
     * {@code version} is null. Empty when the agent, the version or a live version does not exist, or when the agent
     * is archived or being deleted and no version was pinned.
     */
    Optional<AgentSpec> spec(TenantId tenant, String agentIdOrSlug, Integer version);
}
