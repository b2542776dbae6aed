package io.retinue.agents;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/** An agent was archived: it keeps its versions but no new run should start from its live version. */
public record AgentArchived(AgentId agentId, TenantId tenant, String slug, Instant occurredAt) implements ServiceEvent {
}
