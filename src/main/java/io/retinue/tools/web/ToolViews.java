package io.retinue.tools.web;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

import io.retinue.tools.internal.Tool;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/** A tool version as the API shows it (its request template included; it holds secret references, never secrets). */
@Schema(name = "Tool", description = "A tool version as the API shows it (its request template included; it holds "
        + "secret references, never secrets)")
record ToolView(String name, int version, String kind, String description, JsonNode inputSchema,
        JsonNode outputSchema, Set<String> tags, boolean enabled, boolean idempotent, int timeoutMs,
        int maxOutputBytes, int maxConcurrency, JsonNode http, Instant createdAt) {

    static ToolView of(Tool tool) {
        return new ToolView(tool.name(), tool.version(), tool.kind().wire(), tool.description(), tool.inputSchema(),
                tool.outputSchema(), new TreeSet<>(tool.tags()), tool.enabled(), tool.idempotent(), tool.timeoutMs(),
                tool.maxOutputBytes(), tool.maxConcurrency(),
                tool.kind() == io.retinue.tools.internal.ToolKind.HTTP ? tool.spec() : null,
                tool.createdAt());
    }
}
