package io.retinue.runtime.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.stereotype.Component;

import io.retinue.shared.SecretFields;
import io.retinue.shared.outbound.CallInterrupts;
import io.retinue.tools.ToolCall;
import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolDescriptor;
import io.retinue.tools.ToolOutcome;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.retinue.runtime.internal.tracing.RunSpans;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One round of tool calls — those the model asked for in one answer: run through the tools module (permission-checked,
 * in parallel when there are several), each with the idempotency key {@code <run>/<round>/<call>}, checkpointed before
 * they start and once they are all answered. A call a grant holds back, or one that may have run before a crash and
 * is not idempotent, makes the run wait for a person; a decision applies to the first call that waits.
 */
@Component
class ToolRound {

    private final ToolCalls toolCalls;
    private final JsonMapper json;

    private final RunSpans spans;

    ToolRound(ToolCalls toolCalls, JsonMapper json, RunSpans spans) {
        this.toolCalls = toolCalls;
        this.json = json;
        this.spans = spans;
    }

    /**
     * Runs the calls of the round that have no result yet — the first applying {@code decision} when there is one —
     * and closes the round; false when the run ended or waits for a person instead.
     */
    boolean run(Turn turn, Conversation conversation, Map<String, ToolDescriptor> tools,
            AgentLoop.Decision decision) {
        List<AssistantMessage.ToolCall> calls = conversation.calls();
        int step = conversation.step();
        int decided = decision == null ? -1 : conversation.firstAwaiting();
        List<Integer> toRun = new ArrayList<>();
        for (int index : conversation.unanswered()) {
            Conversation.Slot slot = conversation.slot(index);
            if (index == decided || slot.awaiting() == null && !slot.started()) {
                toRun.add(index);
            }
            else if (slot.awaiting() == null) {
                // Set out before the process stopped: did the call run? The tools module's record says.
                resumeStarted(turn, conversation, index, calls.get(index), tools);
            }
        }
        if (!toRun.isEmpty() && CallInterrupts.requestedHere()) {
            // Stopping (or cancelled): a call set out on now would be cut short, or never made yet marked as made.
            throw new IllegalStateException("Stopped before calling tools");
        }
        toRun.forEach(conversation::started);
        turn.checkpoint(conversation.checkpoint(json));
        if (toRun.size() <= 1) {
            for (int index : toRun) {
                settle(conversation, index, callTool(turn, calls.get(index), tools, step, index,
                        index == decided ? decision : null));
            }
        }
        else {
            // The calls run on threads of their own that the run's interrupts reach too (a cancel stops them).
            CallInterrupts interrupts = CallInterrupts.current();
            try (ExecutorService parallel = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<ToolResult>> running = toRun.stream()
                    .map(index -> parallel.submit(() -> {
                        CallInterrupts.bind(interrupts);
                        try {
                            return callTool(turn, calls.get(index), tools, step, index,
                                    index == decided ? decision : null);
                        }
                        finally {
                            CallInterrupts.unbind();
                        }
                    }))
                    .toList();
                for (int i = 0; i < toRun.size(); i++) {
                    settle(conversation, toRun.get(i), running.get(i).get());
                }
            }
            catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while running tools", interrupted);
            }
            catch (ExecutionException failed) {
                throw failed.getCause() instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException(failed.getCause());
            }
        }
        if (conversation.firstAwaiting() >= 0) {
            List<RunUpdate.PendingCall> pending = new ArrayList<>();
            for (int index : conversation.unanswered()) {
                AssistantMessage.ToolCall call = calls.get(index);
                pending.add(new RunUpdate.PendingCall(call.id(), realName(call, tools),
                        SecretFields.masked(arguments(call)), conversation.slot(index).awaiting()));
            }
            turn.checkpoint(conversation.checkpoint(json));
            turn.awaitDecision(pending);
            return false;
        }
        conversation.closeCalls();
        turn.checkpoint(conversation.checkpoint(json));
        return true;
    }

    /**
     * A call the run had set out to make when its process stopped: recorded by the tools module, its outcome is
     * taken as it is; not recorded, an idempotent tool is simply called again (with the same idempotency key), and
     * any other waits for a person — it may have done its work without a record.
     */
    private void resumeStarted(Turn turn, Conversation conversation, int index, AssistantMessage.ToolCall call,
            Map<String, ToolDescriptor> tools) {
        String key = key(turn, conversation.step(), index, null);
        Optional<ToolOutcome> recorded = toolCalls.recorded(turn.caller.tenant(), key);
        ToolDescriptor tool = tools.get(call.name());
        if (recorded.isPresent()) {
            ToolResult result = result(recorded.get());
            settle(conversation, index, result);
        }
        else if (tool != null && tool.idempotent()) {
            settle(conversation, index, callTool(turn, call, tools, conversation.step(), index, null));
        }
        else {
            conversation.await(index, "the call may have run before the process stopped and " + realName(call, tools)
                    + " is not idempotent: approve to run it again, or reject it");
        }
    }

    private static String key(Turn turn, int step, int index, AgentLoop.Decision decision) {
        // An approved call is a new execution: the held-back one stays on record under the plain key.
        return turn.runId + "/" + step + "/" + index + (decision == null ? "" : "/approved");
    }

    private static String realName(AssistantMessage.ToolCall call, Map<String, ToolDescriptor> tools) {
        ToolDescriptor tool = tools.get(call.name());
        return tool == null ? call.name() : tool.name();
    }

    private static void settle(Conversation conversation, int index, ToolResult result) {
        if (result.awaiting() != null) {
            conversation.await(index, result.awaiting());
        }
        else {
            conversation.answer(index, result.text());
        }
    }

    /** What a tool call gave the model, or why it waits for a person instead, and its outcome. */
    private record ToolResult(String text, String awaiting, String status) {
    }

    /** A tool call in its span ({@code execute_tool}), which an HTTP or MCP tool's request names as its parent. */
    private ToolResult callTool(Turn turn, AssistantMessage.ToolCall call, Map<String, ToolDescriptor> tools, int step,
            int index, AgentLoop.Decision decision) {
        Span span = spans.tool(turn.span(), realName(call, tools), call.id());
        try (Tracer.SpanInScope scope = spans.traces().inScope(span)) {
            // A stopping process lets the call finish: cut short, it may have done its work without our record of it.
            ToolResult result = CallInterrupts.finishing(() -> untracedCall(turn, call, tools, step, index, decision));
            spans.toolContent(span, turn.caller.tenant(), () -> decision != null && decision.arguments() != null
                    ? decision.arguments() : arguments(call), result.text() != null ? result.text() : result.awaiting());
            RunSpans.toolEnded(span, result.status());
            return result;
        }
        catch (RuntimeException failed) {
            RunSpans.failed(span, failed.getClass().getSimpleName(), failed);
            throw failed;
        }
    }

    private ToolResult untracedCall(Turn turn, AssistantMessage.ToolCall call, Map<String, ToolDescriptor> tools,
            int step, int index, AgentLoop.Decision decision) {
        String tool = realName(call, tools);
        Instant started = turn.now();
        if (decision != null && !decision.approve()) {
            String text = json.writeValueAsString(Map.of("error", "a reviewer rejected this call"
                    + (decision.comment() == null || decision.comment().isBlank() ? "" : ": " + decision.comment())));
            turn.toolStep(tool, "rejected", started, SecretFields.masked(arguments(call)), text, null,
                    new RunUpdate.ToolFinished(step, call.id(), tool, "rejected", 0, text.length(), null));
            return new ToolResult(text, null, "rejected");
        }
        JsonNode arguments = decision != null && decision.arguments() != null ? decision.arguments() : arguments(call);
        JsonNode shown = SecretFields.masked(arguments);
        turn.report(new RunUpdate.ToolStarted(step, call.id(), tool, shown));
        if (arguments == null) {
            String text = "{\"error\":\"the arguments are not valid JSON\"}";
            turn.toolStep(tool, "invalid_arguments", started, null, text, null, new RunUpdate.ToolFinished(step,
                    call.id(), tool, "invalid_arguments", turn.millisSince(started), text.length(), null));
            return new ToolResult(text, null, "invalid_arguments");
        }
        ToolOutcome outcome = toolCalls.call(new ToolCall(turn.caller, turn.spec.slug(), tool, arguments,
                key(turn, step, index, decision), decision == null ? null : decision.decidedBy()));
        ToolResult result = result(outcome);
        String text = result.text() != null ? result.text() : result.awaiting();
        UUID execution = switch (outcome) {
            case ToolOutcome.Completed done -> done.executionId();
            case ToolOutcome.InvalidArguments invalid -> invalid.executionId();
            case ToolOutcome.Denied denied -> denied.executionId();
            case ToolOutcome.ApprovalRequired approval -> approval.executionId();
            case ToolOutcome.Failed failed -> failed.executionId();
        };
        turn.toolStep(tool, result.status(), started, shown, text, execution, new RunUpdate.ToolFinished(step,
                call.id(), tool, result.status(), turn.millisSince(started),
                text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, execution));
        return result;
    }

    /** What a tool's outcome gives the model (or why it waits for a person), and its outcome as recorded. */
    private ToolResult result(ToolOutcome outcome) {
        return switch (outcome) {
            case ToolOutcome.Completed done -> new ToolResult(json.writeValueAsString(done.result()), null,
                    done.truncated() ? "completed_truncated" : "completed");
            case ToolOutcome.InvalidArguments invalid -> new ToolResult(json.writeValueAsString(Map.of("error",
                    "invalid arguments", "violations", invalid.violations())), null, "invalid_arguments");
            case ToolOutcome.Denied denied -> new ToolResult(json.writeValueAsString(Map.of("error",
                    "not permitted: " + denied.reason())), null, "denied");
            case ToolOutcome.ApprovalRequired approval -> new ToolResult(null, approval.reason(), "approval_required");
            case ToolOutcome.Failed failed -> new ToolResult(json.writeValueAsString(Map.of("error", failed.error())),
                    null, failed.reason() == ToolOutcome.Failed.Reason.UNAVAILABLE
                            || failed.reason() == ToolOutcome.Failed.Reason.CIRCUIT_OPEN ? "unavailable" : "failed");
        };
    }

    /** The call's arguments as JSON, or null when they are not valid JSON. */
    private JsonNode arguments(AssistantMessage.ToolCall call) {
        try {
            return call.arguments() == null || call.arguments().isBlank() ? json.createObjectNode()
                    : json.readTree(call.arguments());
        }
        catch (tools.jackson.core.JacksonException malformed) {
            return null;
        }
    }
}
