package io.retinue.runtime.internal.tracing;

import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;

import io.micrometer.tracing.Span;
import io.retinue.agents.AgentSpec;
import io.retinue.shared.TenantId;
import io.retinue.shared.tracing.Traces;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The spans of a run, named and described as OpenTelemetry's GenAI semantic conventions say: each stretch of a run
 * ({@code invoke_agent <agent>}, under the trace the run was started in), each model call in it
 * ({@code chat <model>}) and each tool call ({@code execute_tool <tool>}). Ids, names, token counts and outcomes;
 * prompts, answers and tools' arguments and results only for a tenant that opted in ({@link TraceSettings}), masked.
 */
@Component
public class RunSpans {

    private final Traces traces;
    private final TraceSettings settings;
    private final SpanContent content;

    RunSpans(Traces traces, TraceSettings settings, JsonMapper json) {
        this.traces = traces;
        this.settings = settings;
        this.content = new SpanContent(json);
    }

    public Traces traces() {
        return traces;
    }

    /** Starts the span of a stretch of run {@code runId}, a child of its trace ({@code traceParent}; null: a new one). */
    public Span stretch(String traceParent, UUID runId, TenantId tenant, AgentSpec spec, UUID session) {
        Span.Builder span = traces.childOf(traceParent)
            .name(spec == null ? "invoke_agent" : "invoke_agent " + spec.slug())
            .tag("gen_ai.operation.name", "invoke_agent")
            .tag("retinue.run.id", runId.toString())
            .tag("retinue.tenant", tenant.value());
        if (spec != null) {
            span.tag("gen_ai.agent.name", spec.slug())
                .tag("gen_ai.agent.id", spec.agentId().value().toString())
                .tag("retinue.agent.version", spec.version())
                .tag("gen_ai.request.model", spec.config().model().name())
                .tag("retinue.model.connection", spec.config().model().provider());
        }
        if (session != null) {
            span.tag("gen_ai.conversation.id", session.toString());
        }
        return span.start();
    }

    /** Ends a stretch's span: how it ended ({@code status}, its {@code errorCode}), and the tokens it used. */
    public static void ended(Span stretch, String status, String errorCode, long tokensIn, long tokensOut) {
        stretch.tag("retinue.run.status", status == null ? "left" : status)
            .tag("gen_ai.usage.input_tokens", tokensIn)
            .tag("gen_ai.usage.output_tokens", tokensOut);
        if (errorCode != null && !"requires_action".equals(status) && !"completed".equals(status)) {
            stretch.tag("error.type", errorCode);
        }
        stretch.end();
    }

    /** Starts the span of a model call of a stretch: {@code chat <model>}. */
    public Span chat(Span stretch, String providerName, String connection, String model) {
        return traces.childOf(stretch)
            .name("chat " + model)
            .kind(Span.Kind.CLIENT)
            .tag("gen_ai.operation.name", "chat")
            .tag("gen_ai.provider.name", providerName)
            .tag("gen_ai.request.model", model)
            .tag("retinue.model.connection", connection)
            .start();
    }

    /** Puts a model call's prompt on its span, when it is recorded and the tenant lets it hold content. */
    public void prompt(Span chat, TenantId tenant, List<Message> messages) {
        if (holdsContent(chat, tenant)) {
            chat.tag("gen_ai.input.messages", content.messages(messages));
        }
    }

    /** Puts a model's answer on its call's span, when it is recorded and the tenant lets it hold content. */
    public void answer(Span chat, TenantId tenant, AssistantMessage answer) {
        if (holdsContent(chat, tenant)) {
            chat.tag("gen_ai.output.messages", content.answer(answer));
        }
    }

    /**
     * Puts a tool call's arguments (read only when they are to be put) and what it gave the model on its span, as
     * {@link #prompt} does.
     */
    public void toolContent(Span tool, TenantId tenant, Supplier<JsonNode> arguments, String result) {
        if (holdsContent(tool, tenant)) {
            JsonNode called = arguments.get();
            if (called != null) {
                tool.tag("gen_ai.tool.call.arguments", content.arguments(called));
            }
            if (result != null) {
                tool.tag("gen_ai.tool.call.result", content.text(result));
            }
        }
    }

    private boolean holdsContent(Span span, TenantId tenant) {
        return !span.isNoop() && settings.capturesContent(tenant);
    }

    /** Ends a model call's span with what it used and why the model stopped ({@code tool_calls}, {@code stop}). */
    public static void answered(Span chat, long tokensIn, long tokensOut, boolean toolCalls) {
        chat.tag("gen_ai.usage.input_tokens", tokensIn)
            .tag("gen_ai.usage.output_tokens", tokensOut)
            .tagOfStrings("gen_ai.response.finish_reasons", List.of(toolCalls ? "tool_calls" : "stop"))
            .end();
    }

    /** Ends a model call's span that failed: {@code error.type} is the failure's class ({@code provider_timeout}, …). */
    public static void failed(Span span, String errorType, Throwable failure) {
        span.tag("error.type", errorType);
        if (failure != null) {
            span.error(failure);
        }
        span.end();
    }

    /** Starts the span of a tool call of a stretch: {@code execute_tool <tool>}. */
    public Span tool(Span stretch, String tool, String callId) {
        Span.Builder span = traces.childOf(stretch)
            .name("execute_tool " + tool)
            .tag("gen_ai.operation.name", "execute_tool")
            .tag("gen_ai.tool.name", tool)
            .tag("gen_ai.tool.type", "function");
        if (callId != null) {
            span.tag("gen_ai.tool.call.id", callId);
        }
        return span.start();
    }

    /** Ends a tool call's span with its outcome ({@code completed}, {@code failed}, {@code denied}, …). */
    public static void toolEnded(Span tool, String outcome) {
        tool.tag("retinue.tool.outcome", outcome);
        if (!outcome.startsWith("completed") && !outcome.equals("approval_required")) {
            tool.tag("error.type", outcome);
        }
        tool.end();
    }
}
