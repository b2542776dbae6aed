package io.retinue.agents;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/**
 * An agent's deletion began: until it is deleted ({@link AgentDeleted}) or put back, no new run should start from its
 * live version — whoever keeps its spec lets it go.
 */
public record AgentWithdrawn(AgentId agentId, TenantId tenant, String slug, Instant occurredAt) implements ServiceEvent {
}
