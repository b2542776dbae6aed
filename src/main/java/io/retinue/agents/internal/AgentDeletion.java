package io.retinue.agents.internal;

import java.time.Instant;

import io.retinue.agents.AgentId;
import io.retinue.shared.TenantId;

/**
 * An agent deletion under way: the agent was withdrawn at {@code startedAt}, and this is what it was before, so that
 * a deletion that cannot finish puts it back exactly as it was (same status, same ETag).
 */
record AgentDeletion(AgentId agent, TenantId tenant, AgentStatus previousStatus, long previousRevision,
        Instant previousUpdatedAt, Instant startedAt) {

    static AgentDeletion of(Agent before, Instant startedAt) {
        return new AgentDeletion(before.id(), before.tenant(), before.status(), before.revision(), before.updatedAt(),
                startedAt);
    }

    /** The withdrawn agent as it was before: the compensation of its withdrawal. */
    Agent restore(Agent withdrawn) {
        return new Agent(withdrawn.id(), withdrawn.tenant(), withdrawn.slug(), withdrawn.name(), withdrawn.description(),
                withdrawn.labels(), previousStatus, withdrawn.liveVersion(), withdrawn.latestVersion(),
                withdrawn.draftVersion(), withdrawn.modelProvider(), withdrawn.modelName(), previousRevision,
                withdrawn.createdAt(), previousUpdatedAt);
    }
}
