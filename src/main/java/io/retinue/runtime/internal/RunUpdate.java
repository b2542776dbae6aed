package io.retinue.runtime.internal;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * What a run reports as it goes — the {@code data} of its events, one record per event type. {@code round} is the
 * model round the event belongs to (1 for the first model call and the tool calls it asked for, 2 for the next, …),
 * and {@code number} the number of the step an event reports as recorded — the same numbers as the run's steps.
 */
sealed interface RunUpdate {

    /** The event type as sent, e.g. {@code text.delta}. */
    String type();

    /** The report of a recorded step: its round, and its number once the run has recorded it. */
    sealed interface StepReport extends RunUpdate {

        int round();

        StepReport numbered(int number);
    }

    /** The run began (or went on after an approval). */
    record Started(UUID runId, String agent, int version, UUID session, boolean resumed) implements RunUpdate {

        public String type() {
            return "run.started";
        }
    }

    /** A piece of the model's answer, as the provider streamed it. */
    record TextDelta(int round, String text) implements RunUpdate {

        public String type() {
            return "text.delta";
        }
    }

    /** The run calls a tool the model asked for (secret-looking argument values masked). */
    record ToolStarted(int round, String callId, String tool, JsonNode arguments) implements RunUpdate {

        public String type() {
            return "tool.started";
        }
    }

    /** A tool call ended: how, how long it took, how big its result was, and the execution record it made. */
    record ToolFinished(int round, int number, String callId, String tool, String outcome, long durationMs,
            int resultBytes, UUID executionId) implements StepReport {

        ToolFinished(int round, String callId, String tool, String outcome, long durationMs, int resultBytes,
                UUID executionId) {
            this(round, 0, callId, tool, outcome, durationMs, resultBytes, executionId);
        }

        public String type() {
            return "tool.finished";
        }

        public ToolFinished numbered(int number) {
            return new ToolFinished(round, number, callId, tool, outcome, durationMs, resultBytes, executionId);
        }
    }

    /** A model call ended, with its usage. */
    record StepFinished(int round, int number, String model, String outcome, long durationMs, long tokensIn,
            long tokensOut) implements StepReport {

        StepFinished(int round, String model, String outcome, long durationMs, long tokensIn, long tokensOut) {
            this(round, 0, model, outcome, durationMs, tokensIn, tokensOut);
        }

        public String type() {
            return "step.finished";
        }

        public StepFinished numbered(int number) {
            return new StepFinished(round, number, model, outcome, durationMs, tokensIn, tokensOut);
        }
    }

    /** Tools the agent names that the run is not offered (unknown, disabled or not granted), and why. */
    record ToolsWithheld(List<io.retinue.agents.ToolAvailability.Withheld> tools) implements RunUpdate {

        public String type() {
            return "run.tools_withheld";
        }
    }

    /** The run waits for a person to approve or reject the calls listed. */
    record ActionRequired(String status, List<PendingCall> pending, String error) implements RunUpdate {

        public String type() {
            return "run.requires_action";
        }
    }

    /** The run ended: completed with its output, or failed, cancelled or timed out with why. */
    record Ended(String status, String output, String errorCode, String error, int steps, long tokensIn,
            long tokensOut, BigDecimal estimatedCostUsd) implements RunUpdate {

        public String type() {
            return "run." + status;
        }
    }

    /**
     * What fitting the context window did so far in this run: the budget and how tokens were counted
     * ({@code o200k_base}, … or {@code estimate}), the prompt's size before and after, earlier turns kept, dropped
     * and summarised (or a summary kept with the session reused), tool results trimmed, and whether the prompt is
     * still over budget (the current turn alone does not fit).
     */
    record ContextCompacted(Integer budget, String counting, int tokensBefore, int tokensAfter, int turnsKept,
            int turnsDropped, int turnsSummarised, boolean summaryReused, String summaryError, int toolResultsTrimmed,
            boolean overBudget) implements RunUpdate {

        public String type() {
            return "context.compacted";
        }

        ContextCompacted trimmed(int before, int after, int toolResults, boolean over) {
            return new ContextCompacted(budget, counting, Math.max(tokensBefore, before), after, turnsKept, turnsDropped,
                    turnsSummarised, summaryReused, summaryError, Math.max(toolResultsTrimmed, toolResults), over);
        }
    }

    /** A tool call held back until someone approves it. */
    record PendingCall(String callId, String tool, JsonNode arguments, String reason) {
    }
}
