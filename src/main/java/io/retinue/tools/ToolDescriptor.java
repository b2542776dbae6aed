package io.retinue.tools;

import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.JsonNode;

/**
 * A tool as a model sees it: name, description and the JSON Schema of its arguments (and of its result, if known). An
 * unknown output schema is left out on the wire rather than sent as {@code null}, which would read back as a JSON null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolDescriptor(String name, int version, String kind, String description, JsonNode inputSchema,
        JsonNode outputSchema, Set<String> tags, boolean idempotent) {

    public ToolDescriptor {
        tags = Set.copyOf(tags);
    }
}
