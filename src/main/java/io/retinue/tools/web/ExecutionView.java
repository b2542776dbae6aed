package io.retinue.tools.web;

import java.time.Instant;
import java.util.UUID;

import io.retinue.tools.internal.ExecutionLedger;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tool execution as the API shows it: its arguments and result as the JSON they are, as run steps and events show
 * them — or, where the record kept only the first 16 KiB, the text that was kept.
 */
@Schema(name = "ToolExecution")
record ExecutionView(UUID id, String tool, int toolVersion, String caller, String agent, String idempotencyKey,
        String status, Instant startedAt, long durationMs,
        @Schema(description = "The arguments (secret-looking fields masked); a string when cut to 16 KiB") JsonNode arguments,
        @Schema(description = "The result (credential values masked); a string when it is not JSON or was cut") JsonNode result,
        int argumentsBytes, int resultBytes, boolean truncated, String error, String approvedBy) {

    static ExecutionView of(ExecutionLedger.Execution execution, JsonMapper json) {
        return new ExecutionView(execution.id(), execution.tool(), execution.toolVersion(), execution.caller(),
                execution.agent(), execution.idempotencyKey(), execution.status(), execution.startedAt(),
                execution.durationMs(), tree(execution.arguments(), json), tree(execution.result(), json),
                execution.argumentsBytes(), execution.resultBytes(), execution.truncated(), execution.error(),
                execution.approvedBy());
    }

    private static JsonNode tree(String text, JsonMapper json) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        }
        catch (JacksonException notWhole) {
            return json.getNodeFactory().stringNode(text);
        }
    }
}
