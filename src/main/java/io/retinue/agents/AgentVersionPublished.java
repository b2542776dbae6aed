package io.retinue.agents;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/**
 * An agent's live version changed: a draft was published, or an earlier published version was made live again
 * ({@code rollback}). {@code previousLiveVersion} is null for the first publication.
 */
public record AgentVersionPublished(AgentId agentId, TenantId tenant, String slug, int version,
        Integer previousLiveVersion, boolean rollback, String configDigest, Instant occurredAt)
        implements ServiceEvent {
}
