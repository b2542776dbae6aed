package io.retinue.agents.web;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.retinue.agents.internal.Agent;
import io.swagger.v3.oas.annotations.media.Schema;

/** An agent as the API shows it. */
@Schema(name = "Agent", description = "An agent as the API shows it")
record AgentView(UUID id, @Schema(example = "support-bot") String slug, @Schema(example = "Support bot") String name,
        String description, @Schema(example = "{\"team\":\"support\"}") Map<String, String> labels,
        @Schema(allowableValues = { "active", "archived", "deleting" }) String status,
        @Schema(description = "The published version runs use by default; null until one is published") Integer liveVersion,
        int latestVersion, @Schema(description = "The open draft version, if any") Integer draftVersion,
        ModelView model, @Schema(description = "Changes with every write; the ETag is its quoted value") long revision,
        Instant createdAt, Instant updatedAt) {

    /** The model of the live version (of the newest draft while nothing is published). */
    @Schema(description = "The model of the live version (of the newest draft while nothing is published)")
    record ModelView(@Schema(example = "demo") String provider, @Schema(example = "demo-echo") String name) {
    }

    static AgentView of(Agent agent) {
        return new AgentView(agent.id().value(), agent.slug(), agent.name(), agent.description(), agent.labels(),
                agent.status().wire(), agent.liveVersion(), agent.latestVersion(), agent.draftVersion(),
                new ModelView(agent.modelProvider(), agent.modelName()), agent.revision(), agent.createdAt(),
                agent.updatedAt());
    }
}
