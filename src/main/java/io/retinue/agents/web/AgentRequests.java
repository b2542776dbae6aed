package io.retinue.agents.web;

import java.util.Map;

import io.retinue.agents.AgentConfig;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The bodies the agents API accepts. They document the API; bodies are first checked against the JSON Schema in
 * {@code schemas/agent-requests.schema.json} (every violation at once) and only then mapped onto these records.
 */
final class AgentRequests {

    private AgentRequests() {
    }

    @Schema(name = "CreateAgentRequest", description = "A new agent: its slug, name, labels and the configuration "
            + "of version 1")
    record Create(@Schema(example = "support-bot", pattern = "^[a-z0-9][a-z0-9-]{1,62}$") String slug,
            @Schema(example = "Support bot") String name, @Schema(example = "Answers customer questions") String description,
            @Schema(example = "{\"team\":\"support\"}") Map<String, String> labels, AgentConfig config,
            @Schema(description = "A note on the first version") String note) {
    }

    @Schema(name = "UpdateAgentRequest", description = "Fields to change; absent ones stay, labels are replaced whole")
    record Update(String name, String description, Map<String, String> labels) {
    }

    @Schema(name = "VersionRequest", description = "A configuration for a new or revised draft version, with a note")
    record Version(AgentConfig config, @Schema(example = "Friendlier tone") String note) {
    }

    @Schema(name = "RollbackRequest", description = "The published version to make live")
    record Rollback(@Schema(example = "1", description = "A published version to make live again") int version) {
    }
}
