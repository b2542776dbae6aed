package io.retinue.agents;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/**
 * An agent's deletion was undone ({@link AgentWithdrawn} before): the agent is back as it was, and whoever noted that
 * its live version was not to be run reads it again.
 */
public record AgentRestored(AgentId agentId, TenantId tenant, String slug, Instant occurredAt) implements ServiceEvent {
}
