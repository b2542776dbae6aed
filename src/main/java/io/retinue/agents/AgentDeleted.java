package io.retinue.agents;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/** An agent and all its versions were deleted. */
public record AgentDeleted(AgentId agentId, TenantId tenant, String slug, Instant occurredAt) implements ServiceEvent {
}
