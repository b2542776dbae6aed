package io.retinue.agents;

import java.time.Instant;

import io.retinue.shared.TenantId;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A published agent version as the runtime runs it: immutable, self-contained and pinned to one version number, so
 * a run started with it behaves the same whatever happens to the agent afterwards.
 */
@Schema(description = "A published agent version as the runtime runs it: immutable, self-contained and pinned to "
        + "one version number, so a run started with it behaves the same whatever happens to the agent afterwards")
public record AgentSpec(AgentId agentId, TenantId tenant, String slug, String name, int version, boolean live,
        AgentConfig config, String configDigest, Instant publishedAt) {
}
