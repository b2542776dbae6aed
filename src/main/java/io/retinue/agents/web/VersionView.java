package io.retinue.agents.web;

import java.time.Instant;
import java.util.UUID;

import io.retinue.agents.AgentConfig;
import io.retinue.agents.internal.Agent;
import io.retinue.agents.internal.AgentVersion;
import io.swagger.v3.oas.annotations.media.Schema;

/** One version of an agent's configuration. */
@Schema(name = "AgentVersion", description = "One version of an agent's configuration")
record VersionView(UUID agentId, int version, @Schema(allowableValues = { "draft", "published" }) String status,
        boolean live, AgentConfig config, @Schema(description = "SHA-256 of the canonical configuration") String configDigest,
        String note, Instant createdAt, Instant publishedAt) {

    static VersionView of(Agent agent, AgentVersion version) {
        boolean live = agent.liveVersion() != null && agent.liveVersion() == version.number();
        return new VersionView(agent.id().value(), version.number(), version.status().wire(), live, version.config(),
                version.digest(), version.note(), version.createdAt(), version.publishedAt());
    }
}
