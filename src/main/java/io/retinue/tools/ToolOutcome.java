package io.retinue.tools;

import java.time.Duration;
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

    /**
     * The tool ran and failed, timed out or could not be reached, or the guard did not call it (its breaker is open,
     * too many calls to it are in flight). {@code retryable}: the same call may succeed later; {@code retryAfter},
     * when known (the breaker's remaining open time, the tool server's own Retry-After), how much later.
     */
    record Failed(UUID executionId, String error, boolean retryable, Reason reason, Duration retryAfter)
            implements ToolOutcome {

        public Failed(UUID executionId, String error, boolean retryable) {
            this(executionId, error, retryable, Reason.FAILED, null);
        }

        /** Why the call failed, as its execution is recorded. */
        public enum Reason {
            /** The tool answered with an error. */
            FAILED("failed"),
            /** It did not answer within its timeout. */
            TIMED_OUT("timed_out"),
            /** Its server could not be reached or broke off. */
            UNAVAILABLE("unavailable"),
            /** Not called: its breaker is open after repeated failures. */
            CIRCUIT_OPEN("unavailable"),
            /** Not called: too many calls to it are in flight. */
            SATURATED("saturated"),
            /** Not called: its address is refused (SSRF guard). */
            REFUSED("refused");

            private final String status;

            Reason(String status) {
                this.status = status;
            }

            /** The execution status this reason is recorded as. */
            public String status() {
                return status;
            }
        }
    }
}
