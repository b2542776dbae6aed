package io.retinue.agents.web;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.retinue.agents.AgentConfig;
import io.retinue.agents.internal.Agent;
import io.retinue.agents.internal.AgentVersion;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.media.Schema;

/** One version of an agent's configuration. */
@Schema(name = "AgentVersion", description = "One version of an agent's configuration")
record VersionView(UUID agentId, int version, @Schema(allowableValues = { "draft", "published" }) String status,
        boolean live, AgentConfig config, @Schema(description = "SHA-256 of the canonical configuration") String configDigest,
        String note, Instant createdAt, Instant publishedAt,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) @Schema(description = "On publish: named tools this version's "
                + "runs would not be offered (unknown, disabled or not granted), as warnings") List<Violation> warnings) {

    static VersionView of(Agent agent, AgentVersion version) {
        boolean live = agent.liveVersion() != null && agent.liveVersion() == version.number();
        return new VersionView(agent.id().value(), version.number(), version.status().wire(), live, version.config(),
                version.digest(), version.note(), version.createdAt(), version.publishedAt(), List.of());
    }

    VersionView warning(List<Violation> warnings) {
        return new VersionView(agentId, version, status, live, config, configDigest, note, createdAt, publishedAt,
                warnings);
    }
}
