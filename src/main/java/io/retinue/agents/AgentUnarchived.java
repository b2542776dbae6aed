package io.retinue.agents;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/** An archived agent was made active again: runs may start from its live version once more. */
public record AgentUnarchived(AgentId agentId, TenantId tenant, String slug, Instant occurredAt)
        implements ServiceEvent {
}
