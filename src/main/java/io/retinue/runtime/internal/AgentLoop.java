package io.retinue.runtime.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.retinue.runtime.internal.tracing.RunSpans;
import io.retinue.agents.AgentConfig;
import io.retinue.agents.ToolAvailability;
import io.retinue.runtime.internal.cache.Cached;
import io.retinue.runtime.internal.providers.ModelConnection;
import io.retinue.runtime.internal.providers.ProviderFailure;
import io.retinue.runtime.internal.providers.ProviderProperties;
import io.retinue.runtime.internal.providers.ProviderRetries;
import io.retinue.shared.DatabaseUnavailable;
import io.retinue.shared.outbound.CallInterrupts;
import io.retinue.shared.outbound.OutboundCalls;
import io.retinue.tools.ToolCall;
import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolDescriptor;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent loop of one turn: call the model (streaming, so each piece of text is reported as it arrives — unless
 * only the whole answer is wanted), have the {@link ToolRound} run the tool calls it asks for, feed the results back,
 * and repeat until a final answer or a limit. Each model answer is checkpointed with its step, so a resumed run never
 * asks for it again.
 */
@Component
public class AgentLoop {

    private final ToolCatalog toolCatalog;
    private final ToolAvailability toolAvailability;
    private final ToolRound toolRound;
    private final OutboundCalls outbound;
    private final StructuredOutput structuredOutput;
    private final ContextWindow context;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final int maxConcurrentCalls;

    private static final Logger log = LoggerFactory.getLogger(AgentLoop.class);

    private final ProviderRetries retries;
    private final RunSpans spans;

    AgentLoop(@Cached ToolCatalog toolCatalog, @Cached ToolAvailability toolAvailability, ToolRound toolRound, OutboundCalls outbound,
            ProviderRetries retries, StructuredOutput structuredOutput, ContextWindow context,
            TransactionTemplate transactions, JsonMapper json, ProviderProperties providers, RunSpans spans) {
        this.spans = spans;
        this.toolAvailability = toolAvailability;
        this.retries = retries;
        this.maxConcurrentCalls = providers.maxConcurrentModelCalls();
        this.toolCatalog = toolCatalog;
        this.toolRound = toolRound;
        this.outbound = outbound;
        this.structuredOutput = structuredOutput;
        this.context = context;
        this.transactions = transactions;
        this.json = json;
    }

    /**
     * A person's decision on the first call a run holds back. {@code arguments} replace the call's own only when they
     * are an object: absent, JSON null (as an absent value reads back from a checkpoint) or missing, the call runs with
     * the arguments the model gave it.
     */
    record Decision(boolean approve, JsonNode arguments, String comment, String decidedBy) {

        Decision {
            arguments = arguments == null || arguments.isNull() || arguments.isMissingNode() ? null : arguments;
        }
    }

    /**
     * Runs the turn until it ends or waits for a person; answers the messages it added to the conversation when it
     * completed, else none. {@code decision} applies to the call the run waited on when it goes on after one.
     * {@code streamAnswers}: the model streams its answers and each piece is reported as it comes; else it answers
     * whole (for a caller who waits for the end, at a fraction of the cost).
     */
    List<org.springframework.ai.chat.messages.Message> run(Turn turn, ModelConnection connection,
            Conversation conversation, Decision decision, boolean streamAnswers) {
        AgentConfig config = turn.spec.config();
        List<ToolDescriptor> offered = offeredTools(turn);
        Map<String, ToolDescriptor> tools = offered.stream()
            .collect(Collectors.toMap(tool -> modelName(tool.name()), tool -> tool));
        Duration timeout = Duration.ofSeconds(config.limits().runTimeoutSeconds());
        ToolCallingChatOptions options = connection.options(config.model().name(),
                config.model().parameters().temperature(), config.model().parameters().maxOutputTokens(),
                offered.stream().map(AgentLoop::definitionOnly).toList(), timeout);
        // Whoever started the turn has just looked whether the run is being cancelled (or just started it): from the
        // next step on, the loop looks itself.
        boolean lookForCancel = false;
        if (conversation.hasOpenCalls()) {
            if (!toolRound.run(turn, conversation, tools, decision)) {
                return List.of();
            }
            conversation.nextStep();
            lookForCancel = true;
        }
        for (; conversation.step() <= config.limits().maxSteps(); conversation.nextStep()) {
            int step = conversation.step();
            if (lookForCancel && turn.cancelling()) {
                turn.end("cancelled", "cancelled", "Cancelled after " + (step - 1) + " step(s)");
                return List.of();
            }
            if (Duration.between(turn.started, turn.now()).compareTo(timeout) > 0) {
                turn.end("timed_out", "run_timeout", "The run exceeded its timeout of " + timeout.toSeconds() + " s");
                return List.of();
            }
            lookForCancel = true;
            Optional<String> spent = turn.budgetSpent();
            if (spent.isPresent()) {
                turn.end("failed", "budget_exceeded", spent.get());
                return List.of();
            }
            Instant callStarted = turn.now();
            Prompt prompt = new Prompt(context.prompt(turn, connection, conversation), options);
            Instant deadline = turn.started.plus(timeout);
            String modelName = config.model().provider() + "/" + config.model().name();
            ChatResponse response;
            // The call's span ("chat <model>") is the parent the provider is sent as traceparent.
            Span chat = spans.chat(turn.span(), connection.providerName(), config.model().provider(),
                    config.model().name());
            spans.prompt(chat, turn.caller.tenant(), prompt.getInstructions());
            try (Tracer.SpanInScope scope = spans.traces().inScope(chat)) {
                response = retries.call(connection, () -> attempt(connection, prompt, turn, step, deadline,
                        streamAnswers));
            }
            catch (RuntimeException failed) {
                RunSpans.failed(chat, DatabaseUnavailable.causedBy(failed) || CallInterrupts.requestedHere()
                        ? failed.getClass().getSimpleName() : "provider_" + ProviderFailure.of(failed).kind().wire(),
                        failed);
                if (DatabaseUnavailable.causedBy(failed) || CallInterrupts.requestedHere() || turn.cancelling()) {
                    // Cancelled, this instance lets go of the run, or the database cannot be reached (a write of the
                    // answer's pieces failed; the run goes on later from its checkpoint): not the provider's failure.
                    throw failed;
                }
                if (!turn.now().isBefore(deadline)) {
                    turn.modelStep(modelName, "error_timeout", callStarted, 0, 0, failed.getMessage(),
                            new RunUpdate.StepFinished(step, modelName, "error_timeout", turn.millisSince(callStarted),
                                    0, 0));
                    turn.end("timed_out", "run_timeout", "The run exceeded its timeout of " + timeout.toSeconds()
                            + " s while waiting for the model");
                    return List.of();
                }
                ProviderFailure failure = ProviderFailure.of(failed);
                if (failure.kind() == ProviderFailure.Kind.UNKNOWN) {
                    log.warn("Run {}: a model call failed in a way the runtime does not classify", turn.runId, failed);
                }
                String outcome = "error_" + failure.kind().wire();
                turn.modelStep(modelName, outcome, callStarted, 0, 0, failure.message(),
                        new RunUpdate.StepFinished(step, modelName, outcome, turn.millisSince(callStarted), 0, 0));
                turn.end(failure.kind() == ProviderFailure.Kind.TIMEOUT ? "timed_out" : "failed",
                        "provider_" + failure.kind().wire(), failure.message());
                return List.of();
            }
            Usage usage = response.getMetadata().getUsage();
            long in = usage == null || usage.getPromptTokens() == null ? 0 : usage.getPromptTokens();
            long out = usage == null || usage.getCompletionTokens() == null ? 0 : usage.getCompletionTokens();
            AssistantMessage answer = response.getResult().getOutput();
            spans.answer(chat, turn.caller.tenant(), answer);
            RunSpans.answered(chat, in, out, answer.hasToolCalls());
            String outcome = answer.hasToolCalls() ? "tool_calls" : "answer";
            conversation.answered(answer);
            boolean overBudget = turn.tokens() + in + out > config.limits().maxTokensPerRun();
            List<String> problems = overBudget || answer.hasToolCalls() || !config.responseFormat().isJsonSchema()
                    ? List.of() : structuredOutput.problems(config.responseFormat().schema(), answer.getText());
            // One repair attempt: tell the model what is wrong and let it answer again.
            boolean repair = !problems.isEmpty() && conversation.repairOnce();
            // The step and the checkpoint holding its answer are kept together: a run resumed after a crash never
            // asks again for an answer it has recorded, nor records one it will ask for again. When the answer ends
            // the run, the run's end is kept with them too.
            boolean ended = Boolean.TRUE.equals(transactions.execute(tx -> {
                turn.modelStep(modelName, outcome, callStarted, in, out, answer.getText(),
                        new RunUpdate.StepFinished(step, modelName, outcome, turn.millisSince(callStarted), in, out));
                if (overBudget) {
                    turn.end("failed", "token_budget", "The run exceeded its budget of "
                            + config.limits().maxTokensPerRun() + " tokens");
                    return true;
                }
                if (answer.hasToolCalls()) {
                    turn.checkpoint(conversation.checkpoint(json));
                    return false;
                }
                if (problems.isEmpty()) {
                    turn.complete(answer.getText());
                    return true;
                }
                if (!repair) {
                    turn.end("failed", "structured_output_invalid", String.join("; ", problems));
                    return true;
                }
                return false;
            }));
            if (ended) {
                // A run cancelled as it completed adds nothing to its session.
                return turn.completed() ? conversation.added() : List.of();
            }
            if (repair) {
                conversation.add(new UserMessage(StructuredOutput.repairRequest(problems)));
                continue;
            }
            if (!toolRound.run(turn, conversation, tools, null)) {
                return List.of();
            }
        }
        turn.end("failed", "max_steps", "The run reached its limit of " + config.limits().maxSteps() + " steps");
        return List.of();
    }

    /**
     * One attempt at a model call, under the connection's breaker and bulkhead: a whole answer within the
     * connection's timeout, a streamed one within what the run has left (its pieces within the connection's
     * timeout). A failure whose Retry-After does not fit in what the run has left is not to be retried.
     */
    private ChatResponse attempt(ModelConnection connection, Prompt prompt, Turn turn, int step, Instant deadline,
            boolean streamAnswers) {
        Duration left = Duration.between(turn.now(), deadline);
        if (!left.isPositive()) {
            throw new IllegalStateException("the run's deadline has passed");
        }
        try {
            return streamAnswers
                    ? outbound.call(connection.turnTarget(), left, maxConcurrentCalls, AgentLoop::countsAgainst,
                            () -> streamed(connection, prompt, turn, step))
                    : outbound.call(connection.turnTarget(), min(connection.timeout(), left), maxConcurrentCalls,
                            AgentLoop::countsAgainst, () -> whole(connection.model(), prompt));
        }
        catch (RuntimeException failed) {
            Duration asked = ProviderFailure.of(failed).retryAfter();
            if (asked != null && !turn.now().plus(asked).isBefore(deadline)) {
                throw new ProviderFailure.WaitTooLong(failed);
            }
            throw failed;
        }
    }

    private static boolean countsAgainst(Throwable failure) {
        return ProviderFailure.of(failure).isTransient();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /**
     * Calls the model and reads its streamed answer: reports each piece of text as it comes and puts the whole answer
     * together (text, tool calls, usage). The answer counts only if the provider said it ended (a finish reason, or
     * Ollama's done): a stream that stops short, or a 200 that is no stream, is broken. Once text has been reported a
     * failure is no longer worth retrying — the caller has seen part of an answer a retry would repeat.
     */
    private ChatResponse streamed(ModelConnection connection, Prompt prompt, Turn turn, int step) {
        Duration silence = connection.timeout();
        Assembled answer = new Assembled();
        Usage[] usage = { null };
        AtomicBoolean reported = new AtomicBoolean();
        long began = System.nanoTime();
        try {
            connection.model().stream(prompt)
                .timeout(silence, Flux.error(() -> new ProviderFailure.Silent("the provider sent nothing for "
                        + silence.toSeconds() + " s (the connection's timeout)")))
                .doOnNext(response -> {
                    answer.sawEnd(response);
                    for (Generation generation : response.getResults()) {
                        String piece = answer.add(generation.getOutput());
                        if (piece != null) {
                            turn.report(new RunUpdate.TextDelta(step, piece));
                            if (!reported.getAndSet(true)) {
                                turn.firstPiece(Duration.ofNanos(System.nanoTime() - began));
                            }
                        }
                    }
                    Usage current = response.getMetadata() == null ? null : response.getMetadata().getUsage();
                    if (current != null
                            && (positive(current.getPromptTokens()) || positive(current.getCompletionTokens()))) {
                        usage[0] = current;
                    }
                })
                .blockLast();
            if (!answer.ended()) {
                throw new ProviderFailure.Incomplete("the provider's stream ended before the answer was complete"
                        + (reported.get() ? "" : " (or the answer was not a stream)"));
            }
        }
        catch (RuntimeException failed) {
            if (reported.get()) {
                throw new ProviderFailure.AfterText(failed);
            }
            if (ProviderFailure.of(failed).kind() == ProviderFailure.Kind.BAD_RESPONSE) {
                throw new ProviderFailure.Incomplete("the provider's answer was not its stream");
            }
            throw failed;
        }
        return answer.response(ChatResponseMetadata.builder()
            .usage(usage[0] == null ? new DefaultUsage(0, 0) : usage[0])
            .build());
    }

    /**
     * Calls the model for its whole answer at once (text, tool calls, usage). Some adapters answer a generation per
     * content block (text, then each tool call): they are put together as one answer, as a streamed one is.
     */
    private static ChatResponse whole(ChatModel model, Prompt prompt) {
        ChatResponse response = model.call(prompt);
        Assembled answer = new Assembled();
        if (response != null) {
            answer.sawEnd(response);
        }
        if (response == null || response.getResults().isEmpty() || !answer.ended()) {
            throw new ProviderFailure.Unreadable("the provider's answer did not say it was complete");
        }
        if (response.getResults().size() == 1) {
            return response;
        }
        response.getResults().forEach(generation -> answer.add(generation.getOutput()));
        return answer.response(response.getMetadata());
    }

    /** One answer put together from its parts: a stream's chunks, or an adapter's generation per content block. */
    private static final class Assembled {

        private final StringBuilder text = new StringBuilder();
        private final List<AssistantMessage.ToolCall> calls = new ArrayList<>();
        private boolean ended;

        /**
         * Notes whether the part says the answer ended as the provider ends one: a finish reason (OpenAI's
         * finish_reason, Anthropic's stop_reason, Ollama's done_reason) or Ollama's done.
         */
        void sawEnd(ChatResponse part) {
            if (part.getMetadata() != null && Boolean.TRUE.equals(part.getMetadata().get("done"))) {
                ended = true;
            }
            for (Generation generation : part.getResults()) {
                String reason = generation.getMetadata() == null ? null : generation.getMetadata().getFinishReason();
                if (reason != null && !reason.isBlank()) {
                    ended = true;
                }
            }
        }

        boolean ended() {
            return ended;
        }

        /** Adds a part; answers its text, or null when it has none. */
        String add(AssistantMessage part) {
            if (part.hasToolCalls()) {
                calls.addAll(part.getToolCalls());
            }
            if (part.getText() == null || part.getText().isEmpty()) {
                return null;
            }
            text.append(part.getText());
            return part.getText();
        }

        ChatResponse response(ChatResponseMetadata metadata) {
            AssistantMessage answer = AssistantMessage.builder().content(text.toString()).toolCalls(calls).build();
            return ChatResponse.builder().generations(List.of(new Generation(answer))).metadata(metadata).build();
        }
    }

    private static boolean positive(Integer tokens) {
        return tokens != null && tokens > 0;
    }


    /** The tools offered to the model: those the agent names, among those its grants let it use. */
    private List<ToolDescriptor> offeredTools(Turn turn) {
        Set<String> named = turn.spec.config().tools().stream().map(AgentConfig.ToolRef::name).collect(Collectors.toSet());
        if (named.isEmpty()) {
            return List.of();
        }
        List<ToolDescriptor> offered = toolCatalog.availableTo(turn.caller, turn.spec.slug())
            .stream()
            .filter(tool -> named.contains(tool.name()))
            .toList();
        if (offered.size() < named.size()) {
            // Not quietly: the run says which named tools it was not offered, and why.
            Set<String> offeredNames = offered.stream().map(ToolDescriptor::name).collect(Collectors.toSet());
            List<String> missing = turn.spec.config().tools().stream().map(AgentConfig.ToolRef::name)
                .filter(name -> !offeredNames.contains(name)).distinct().toList();
            List<ToolAvailability.Withheld> withheld = new ArrayList<>(
                    toolAvailability.withheld(turn.caller, turn.spec.slug(), missing));
            missing.stream()
                .filter(name -> withheld.stream().noneMatch(known -> known.tool().equals(name)))
                .forEach(name -> withheld.add(new ToolAvailability.Withheld(name, "not offered")));
            turn.withheld(withheld);
        }
        return offered;
    }

    /**
     * The name a model sees for a tool: providers accept only letters, digits, {@code _} and {@code -} in function
     * names, so the namespace dot becomes {@code __} (and is mapped back when the model calls the tool).
     */
    public static String modelName(String tool) {
        return tool.replace(".", "__");
    }

    /** A tool's name from the name a model sees ({@link #modelName}). */
    public static String toolName(String modelName) {
        return modelName.replace("__", ".");
    }

    /** A tool as the model sees it; running it is the runtime's job, never the model adapter's. */
    private static ToolCallback definitionOnly(ToolDescriptor tool) {
        ToolDefinition definition = ToolDefinition.builder()
            .name(modelName(tool.name()))
            .description(tool.description())
            .inputSchema(tool.inputSchema().toString())
            .build();
        return new ToolCallback() {

            @Override
            public ToolDefinition getToolDefinition() {
                return definition;
            }

            @Override
            public String call(String arguments) {
                throw new IllegalStateException("tools are run by the runtime through the tools module");
            }
        };
    }
}
