package io.retinue.tools;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import io.retinue.shared.Violation;
import tools.jackson.databind.JsonNode;

/**
 * What came of a tool call. Every outcome but a denial before anything ran names its execution record.
 * {@link InvalidArguments} lists every violation so a model can correct its call.
 * <p>
 * On the wire (the tools module's internal endpoints) an outcome is a JSON object whose {@code outcome} property says
 * which it is — {@code completed}, {@code invalid_arguments}, {@code denied}, {@code approval_required} or
 * {@code failed} — next to the record's own fields; a {@link Failed.Reason} is its lower-case name and
 * {@code retryAfter} an ISO-8601 duration ({@code "PT30S"}). These names are the contract between Retinue processes:
 * never rename one, and mind that a new one is understood only by processes that know it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "outcome")
@JsonSubTypes({ @JsonSubTypes.Type(value = ToolOutcome.Completed.class, name = "completed"),
        @JsonSubTypes.Type(value = ToolOutcome.InvalidArguments.class, name = "invalid_arguments"),
        @JsonSubTypes.Type(value = ToolOutcome.Denied.class, name = "denied"),
        @JsonSubTypes.Type(value = ToolOutcome.ApprovalRequired.class, name = "approval_required"),
        @JsonSubTypes.Type(value = ToolOutcome.Failed.class, name = "failed") })
public sealed interface ToolOutcome {

    /**
     * The tool ran and answered; {@code truncated} says the result was cut to the tool's output cap. A missing result
     * is left out on the wire, so that it is not read back as a JSON {@code null} (which a tool may answer).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
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
            @JsonProperty("failed")
            FAILED("failed"),
            /** It did not answer within its timeout. */
            @JsonProperty("timed_out")
            TIMED_OUT("timed_out"),
            /** Its server could not be reached or broke off. */
            @JsonProperty("unavailable")
            UNAVAILABLE("unavailable"),
            /** Not called: its breaker is open after repeated failures. */
            @JsonProperty("circuit_open")
            CIRCUIT_OPEN("unavailable"),
            /** Not called: too many calls to it are in flight. */
            @JsonProperty("saturated")
            SATURATED("saturated"),
            /** Not called: its address is refused (SSRF guard). */
            @JsonProperty("refused")
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
