package io.retinue.tools;

import java.util.Set;

import tools.jackson.databind.JsonNode;

/** A tool as a model sees it: name, description and the JSON Schema of its arguments (and of its result, if known). */
public record ToolDescriptor(String name, int version, String kind, String description, JsonNode inputSchema,
        JsonNode outputSchema, Set<String> tags, boolean idempotent) {

    public ToolDescriptor {
        tags = Set.copyOf(tags);
    }
}
