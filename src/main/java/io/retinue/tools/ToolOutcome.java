package io.retinue.tools;

import java.util.List;
import java.util.UUID;

import io.retinue.shared.Violation;
import tools.jackson.databind.JsonNode;

/**
 * What came of a tool call. Every outcome but a denial before anything ran names its execution record.
 * {@link InvalidArguments} lists every violation so a model can correct its call.
 */
public sealed interface ToolOutcome {

    /** The tool ran and answered; {@code truncated} says the result was cut to the tool's output cap. */
    record Completed(UUID executionId, JsonNode result, boolean truncated) implements ToolOutcome {
    }

    /** The arguments do not satisfy the tool's input schema; nothing ran. */
    record InvalidArguments(UUID executionId, List<Violation> violations) implements ToolOutcome {
    }

    /** No grant allows the call (or one denies it). */
    record Denied(UUID executionId, String reason) implements ToolOutcome {
    }

    /** A grant requires a human to approve this call first. */
    record ApprovalRequired(UUID executionId, String reason) implements ToolOutcome {
    }

    /** The tool ran and failed, timed out or could not be reached. */
    record Failed(UUID executionId, String error, boolean retryable) implements ToolOutcome {
    }
}
