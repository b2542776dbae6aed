package io.retinue.agents;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/** An agent's name changed (its slug never does): the specs of all its versions carry the new one. */
public record AgentRenamed(AgentId agentId, TenantId tenant, String slug, String name, Instant occurredAt)
        implements ServiceEvent {
}
