package io.retinue.runtime;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.retinue.shared.TenantId;
import io.retinue.shared.events.ServiceEvent;

/**
 * A run stopped: it ended ({@code completed}, {@code failed}, {@code cancelled}, {@code timed_out}) or waits for a
 * person ({@code requires_action}). Published in the transaction that recorded it. {@code steps} counts the run's
 * steps so far; {@code usage} is what this stretch of the run used — from its start, or from the decision it went on
 * after — so that the usage of a run's stretches adds up to the run's.
 */
public record RunEnded(UUID runId, TenantId tenant, String agent, int version, String status, String errorCode,
        Instant occurredAt, int steps, Usage usage) implements ServiceEvent {

    /**
     * What a stretch of a run used: its model ({@code provider} and name, null when the agent could not be read), the
     * run's session (null: none), model calls, tokens, estimated cost (null: the model has no price), the time it
     * worked (queue waits and waits for a person left out) and its tool calls.
     */
    public record Usage(String provider, String model, UUID session, int modelCalls, long tokensIn, long tokensOut,
            BigDecimal costUsd, long workedMs, List<ToolUse> tools) {

        public Usage {
            tools = tools == null ? List.of() : List.copyOf(tools);
        }
    }

    /** One tool's calls in a stretch of a run: how many, how many failed, and their time together. */
    public record ToolUse(String tool, int calls, int failures, long durationMs) {
    }

    /** Whether the run ended for good (it does not wait for a person). */
    public boolean endsRun() {
        return !"requires_action".equals(status);
    }
}
