package io.retinue.tools;

import io.retinue.shared.Caller;
import tools.jackson.databind.JsonNode;

/**
 * A request to run a tool: on whose behalf ({@code caller}, optionally as {@code agent}), which tool, with which
 * arguments, and an idempotency key so that a repeated call (after a crash or a retry) runs at most once.
 */
public record ToolCall(Caller caller, String agent, String tool, JsonNode arguments, String idempotencyKey) {

    public ToolCall {
        if (caller == null || tool == null || tool.isBlank()) {
            throw new IllegalArgumentException("a tool call needs a caller and a tool");
        }
    }
}
