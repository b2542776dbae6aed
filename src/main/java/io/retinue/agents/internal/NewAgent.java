package io.retinue.agents.internal;

import java.util.Map;

import io.retinue.agents.AgentConfig;

/** The command that creates an agent with its first (draft) version. */
public record NewAgent(String slug, String name, String description, Map<String, String> labels, AgentConfig config,
        String note) {

    public NewAgent {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        description = description == null ? "" : description;
    }
}
