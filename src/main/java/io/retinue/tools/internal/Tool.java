package io.retinue.tools.internal;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import io.retinue.shared.TenantId;
import io.retinue.tools.ToolDescriptor;
import tools.jackson.databind.JsonNode;

/**
 * One version of a tool definition: what it is called, what it accepts, how it runs ({@code kind} and its
 * kind-specific {@code spec}) and how it is limited (timeout, output cap, calls in flight). Builtins have no tenant and version 1.
 */
public record Tool(UUID id, TenantId tenant, String name, int version, String description, ToolKind kind,
        JsonNode inputSchema, JsonNode outputSchema, Set<String> tags, boolean enabled, boolean idempotent,
        int timeoutMs, int maxOutputBytes, int maxConcurrency, JsonNode spec, Instant createdAt) {

    public Tool {
        tags = Set.copyOf(tags);
    }

    ToolDescriptor descriptor() {
        return new ToolDescriptor(name, version, kind.wire(), description, inputSchema, outputSchema, tags, idempotent);
    }

    /** The namespace of {@code crm.lookup_customer} is {@code crm}. */
    String namespace() {
        int dot = name.indexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }

    Tool enabled(boolean value) {
        return new Tool(id, tenant, name, version, description, kind, inputSchema, outputSchema, tags, value,
                idempotent, timeoutMs, maxOutputBytes, maxConcurrency, spec, createdAt);
    }
}
