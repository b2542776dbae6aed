package io.retinue.tools;

import io.retinue.shared.Caller;
import tools.jackson.databind.JsonNode;

/**
 * A request to run a tool: on whose behalf ({@code caller}, optionally as {@code agent}), which tool, with which
 * arguments, and an idempotency key so that a repeated call (after a crash or a retry) runs at most once.
 * {@code approvedBy} names the person who approved a call that a {@code require_approval} grant holds back; it
 * satisfies that grant only (a deny still wins) and is recorded with the execution.
 */
public record ToolCall(Caller caller, String agent, String tool, JsonNode arguments, String idempotencyKey,
        String approvedBy) {

    public ToolCall {
        if (caller == null || tool == null || tool.isBlank()) {
            throw new IllegalArgumentException("a tool call needs a caller and a tool");
        }
    }

    /** A call that needs no one's approval. */
    public ToolCall(Caller caller, String agent, String tool, JsonNode arguments, String idempotencyKey) {
        this(caller, agent, tool, arguments, idempotencyKey, null);
    }
}
