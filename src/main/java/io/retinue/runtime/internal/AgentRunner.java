package io.retinue.runtime.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentSpec;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.Violation;
import io.retinue.shared.outbound.OutboundCalls;
import io.retinue.shared.outbound.OutboundTarget;
import io.retinue.tools.ToolCall;
import io.retinue.tools.ToolCalls;
import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolDescriptor;
import io.retinue.tools.ToolOutcome;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's RuntimeManager, first slice: runs one turn of a published agent version synchronously. It binds the
 * instructions, offers the agent's granted tools, calls the model, runs the tool calls it asks for through the tools
 * module (permission-checked, validated, recorded; each with an idempotency key of run, step and call), feeds the
 * results back and repeats until a final answer or a limit — every step recorded.
 */
@Service
public class AgentRunner {

    static final ProblemType NOT_RUNNABLE = ProblemType.of("runtime/agent-not-runnable", HttpStatus.CONFLICT,
            "Agent cannot run");

    /** A request to run an agent once. */
    public record RunRequest(String agent, Integer version, String input, Map<String, String> variables,
            UUID session, String multitask) {
    }

    private final AgentCatalog agents;
    private final ToolCatalog toolCatalog;
    private final ToolCalls toolCalls;
    private final ModelProviders providers;
    private final RunLedger ledger;
    private final OutboundCalls outbound;
    private final JsonMapper json;
    private final Clock clock;
    private final SessionStorage sessions;
    private final StructuredOutput structuredOutput;
    private final Map<UUID, Thread> workers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, ProviderProperties.Price> prices;

    AgentRunner(AgentCatalog agents, ToolCatalog toolCatalog, ToolCalls toolCalls, ModelProviders providers,
            RunLedger ledger, SessionStorage sessions, StructuredOutput structuredOutput, OutboundCalls outbound,
            JsonMapper json, Clock clock, ProviderProperties properties) {
        this.agents = agents;
        this.toolCatalog = toolCatalog;
        this.toolCalls = toolCalls;
        this.providers = providers;
        this.ledger = ledger;
        this.sessions = sessions;
        this.structuredOutput = structuredOutput;
        this.prices = properties.prices();
        this.outbound = outbound;
        this.json = json;
        this.clock = clock;
    }

    /** Runs an agent and returns when the run has ended. */
    public UUID run(Caller caller, RunRequest request) {
        Prepared prepared = prepare(caller, request, "running");
        execute(prepared);
        return prepared.turn().runId;
    }

    /** Accepts a run, answers at once and runs it on a virtual thread of this instance. */
    public UUID start(Caller caller, RunRequest request) {
        Prepared prepared = prepare(caller, request, "queued");
        Thread.ofVirtual().name("run-" + prepared.turn().runId).start(() -> {
            ledger.markRunning(prepared.turn().runId);
            execute(prepared);
        });
        return prepared.turn().runId;
    }

    /**
     * Asks a run to stop: a queued or running run ends {@code cancelled} — at once if it runs on this instance (its
     * thread is interrupted, in-flight model and tool calls included), else at its next step.
     */
    public boolean cancel(Caller caller, UUID runId) {
        RunLedger.Run run = ledger.find(caller.tenant(), runId).orElseThrow(() -> DomainProblem.notFound("Run '" + runId + "'"));
        if (!ledger.requestCancel(run.id())) {
            return false;
        }
        Thread worker = workers.get(runId);
        if (worker != null) {
            worker.interrupt();
        }
        return true;
    }

    /** A run accepted and recorded, ready to execute. */
    private record Prepared(Turn turn, String system, String input, UUID session) {
    }

    private Prepared prepare(Caller caller, RunRequest request, String status) {
        if (request.input() == null || request.input().isBlank()) {
            throw DomainProblem.invalid(List.of(new Violation("/input", "is required")));
        }
        AgentSpec spec = agents.spec(caller.tenant(), request.agent(), request.version())
            .orElseThrow(() -> new DomainProblem(NOT_RUNNABLE, "Agent '" + request.agent()
                    + "' has no published version to run (or is archived, or does not exist)"));
        if (caller.isRestrictedToAgents() && !caller.agents().contains(spec.slug())
                && !caller.agents().contains(spec.agentId().toString())) {
            throw DomainProblem.notFound("Agent '" + request.agent() + "'");
        }
        String system;
        try {
            system = spec.config().instructions().render(request.variables() == null ? Map.of() : request.variables());
        }
        catch (IllegalArgumentException unbound) {
            throw DomainProblem.invalid(List.of(new Violation("/variables", unbound.getMessage())));
        }
        UUID runId = UUID.randomUUID();
        if (request.session() != null) {
            sessions.find(caller.tenant(), request.session())
                .orElseThrow(() -> DomainProblem.notFound("Session '" + request.session() + "'"));
            claim(request.session(), runId, request.multitask());
        }
        Instant started = now();
        ledger.start(caller.tenant(), new RunLedger.Run(runId, spec.agentId().value(), spec.slug(), spec.version(),
                caller.principalId(), status, request.input(), null, null, 0, 0, 0, null, started, null), request.session());
        return new Prepared(new Turn(runId, caller, spec, started), system, request.input(), request.session());
    }

    /**
     * One turn at a time per session: {@code multitask=reject} (the default) refuses a second turn with 409,
     * {@code multitask=queue} waits up to 30 s for the running one to finish.
     */
    private void claim(UUID session, UUID runId, String multitask) {
        String policy = multitask == null ? "reject" : multitask;
        if (!policy.equals("reject") && !policy.equals("queue")) {
            throw DomainProblem.invalid(List.of(new Violation("/multitask", "must be reject or queue")));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!sessions.claim(session, runId)) {
            if (policy.equals("reject") || System.nanoTime() > deadline) {
                throw SessionStorage.busy(session);
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw SessionStorage.busy(session);
            }
        }
    }

    private void execute(Prepared prepared) {
        Turn turn = prepared.turn();
        workers.put(turn.runId, Thread.currentThread());
        try {
            if (ledger.isCancelling(turn.runId)) {
                turn.finish("cancelled", null, "Cancelled before it started");
                return;
            }
            ChatModel model = providers.model(turn.spec.config().model().provider()).orElse(null);
            if (model == null) {
                turn.finish("failed", null, "The model provider '" + turn.spec.config().model().provider()
                        + "' is not configured on this installation");
                return;
            }
            List<Message> history = prepared.session() == null ? List.of() : sessions.history(prepared.session());
            List<Message> added = run(turn, model, prepared.system(), history, prepared.input());
            if (prepared.session() != null && !added.isEmpty()) {
                sessions.append(prepared.session(), turn.runId, added);
            }
        }
        catch (RuntimeException unexpected) {
            // A cancel interrupts this thread; clear the flag so that recording the outcome is not interrupted too.
            Thread.interrupted();
            if (ledger.isCancelling(turn.runId)) {
                turn.finish("cancelled", null, "Cancelled while running");
            }
            else {
                turn.finish("failed", null, "The run failed: " + unexpected.getMessage());
            }
        }
        finally {
            workers.remove(turn.runId);
            Thread.interrupted();
            if (prepared.session() != null) {
                sessions.release(prepared.session(), turn.runId);
            }
        }
    }

    /** Runs the loop; answers the messages the turn added to the conversation when it completed, else none. */
    private List<Message> run(Turn turn, ChatModel model, String system, List<Message> history, String input) {
        AgentConfig config = turn.spec.config();
        List<ToolDescriptor> offered = offeredTools(turn);
        Map<String, String> realNames = offered.stream()
            .collect(Collectors.toMap(tool -> modelName(tool.name()), ToolDescriptor::name));
        ToolCallingChatOptions options = providers.options(config.model().provider(), config.model().name(),
                config.model().parameters().temperature(), config.model().parameters().maxOutputTokens(),
                offered.stream().map(AgentRunner::definitionOnly).toList());
        List<Message> messages = new ArrayList<>();
        messages.add(new SystemMessage(system));
        messages.addAll(history);
        int turnStart = messages.size();
        messages.add(new UserMessage(input));
        Duration timeout = Duration.ofSeconds(config.limits().runTimeoutSeconds());
        boolean repaired = false;
        for (int step = 1; step <= config.limits().maxSteps(); step++) {
            if (ledger.isCancelling(turn.runId)) {
                turn.finish("cancelled", null, "Cancelled after " + (step - 1) + " step(s)");
                return List.of();
            }
            if (Duration.between(turn.started, now()).compareTo(timeout) > 0) {
                turn.finish("timed_out", null, "The run exceeded its timeout of " + timeout.toSeconds() + " s");
                return List.of();
            }
            Instant callStarted = now();
            Prompt prompt = new Prompt(messages, options);
            Duration left = timeout.minus(Duration.between(turn.started, now()));
            ChatResponse response;
            try {
                response = outbound.call(new OutboundTarget("model:" + config.model().provider(), true), left, 64,
                        failure -> ProviderFailure.of(failure).isTransient(), () -> model.call(prompt));
            }
            catch (RuntimeException failed) {
                if (ledger.isCancelling(turn.runId)) {
                    throw failed;
                }
                ProviderFailure failure = ProviderFailure.of(failed);
                turn.step("model", config.model().provider() + "/" + config.model().name(), "error_" + failure.kind().wire(),
                        callStarted, 0, 0, failure.message());
                turn.finish(failure.kind() == ProviderFailure.Kind.TIMEOUT ? "timed_out" : "failed", null,
                        "provider_" + failure.kind().wire() + ": " + failure.message());
                return List.of();
            }
            Usage usage = response.getMetadata().getUsage();
            long in = usage == null || usage.getPromptTokens() == null ? 0 : usage.getPromptTokens();
            long out = usage == null || usage.getCompletionTokens() == null ? 0 : usage.getCompletionTokens();
            AssistantMessage answer = response.getResult().getOutput();
            turn.step("model", config.model().provider() + "/" + config.model().name(),
                    answer.hasToolCalls() ? "tool_calls" : "answer", callStarted, in, out, answer.getText());
            if (turn.tokensIn + turn.tokensOut > config.limits().maxTokensPerRun()) {
                turn.finish("failed", null, "The run exceeded its budget of " + config.limits().maxTokensPerRun()
                        + " tokens");
                return List.of();
            }
            if (!answer.hasToolCalls()) {
                messages.add(answer);
                if (config.responseFormat().isJsonSchema()) {
                    List<String> problems = structuredOutput.problems(config.responseFormat().schema(), answer.getText());
                    if (!problems.isEmpty()) {
                        if (repaired) {
                            turn.finish("failed", null, "structured_output_invalid: " + String.join("; ", problems));
                            return List.of();
                        }
                        // One repair attempt: tell the model what is wrong and let it answer again.
                        repaired = true;
                        messages.add(new UserMessage(StructuredOutput.repairRequest(problems)));
                        continue;
                    }
                }
                turn.finish("completed", answer.getText(), null);
                return List.copyOf(messages.subList(turnStart, messages.size()));
            }
            messages.add(answer);
            List<ToolResponseMessage.ToolResponse> results = new ArrayList<>();
            for (int i = 0; i < answer.getToolCalls().size(); i++) {
                AssistantMessage.ToolCall call = answer.getToolCalls().get(i);
                ToolResult result = callTool(turn, call, realNames.getOrDefault(call.name(), call.name()), step, i);
                if (result.needsApproval()) {
                    turn.finish("requires_action", null, "The call to " + call.name() + " needs approval: "
                            + result.text());
                    return List.of();
                }
                results.add(new ToolResponseMessage.ToolResponse(call.id(), call.name(), result.text()));
            }
            messages.add(ToolResponseMessage.builder().responses(results).build());
        }
        turn.finish("failed", null, "The run reached its limit of " + config.limits().maxSteps() + " steps");
        return List.of();
    }

    /** What a tool call gave the model, and whether the run must wait for a human instead. */
    private record ToolResult(String text, boolean needsApproval) {
    }

    private ToolResult callTool(Turn turn, AssistantMessage.ToolCall call, String tool, int step, int index) {
        Instant started = now();
        JsonNode arguments;
        try {
            arguments = call.arguments() == null || call.arguments().isBlank() ? json.createObjectNode()
                    : json.readTree(call.arguments());
        }
        catch (tools.jackson.core.JacksonException malformed) {
            turn.step("tool", tool, "invalid_arguments", started, 0, 0, call.arguments());
            return new ToolResult("{\"error\":\"the arguments are not valid JSON\"}", false);
        }
        ToolOutcome outcome = toolCalls.call(new ToolCall(turn.caller, turn.spec.slug(), tool, arguments,
                turn.runId + "/" + step + "/" + index));
        String text = switch (outcome) {
            case ToolOutcome.Completed done -> json.writeValueAsString(done.result());
            case ToolOutcome.InvalidArguments invalid -> json.writeValueAsString(Map.of("error", "invalid arguments",
                    "violations", invalid.violations()));
            case ToolOutcome.Denied denied -> json.writeValueAsString(Map.of("error", "not permitted: " + denied.reason()));
            case ToolOutcome.ApprovalRequired approval -> approval.reason();
            case ToolOutcome.Failed failed -> json.writeValueAsString(Map.of("error", failed.error()));
        };
        String status = switch (outcome) {
            case ToolOutcome.Completed done -> done.truncated() ? "completed_truncated" : "completed";
            case ToolOutcome.InvalidArguments invalid -> "invalid_arguments";
            case ToolOutcome.Denied denied -> "denied";
            case ToolOutcome.ApprovalRequired approval -> "approval_required";
            case ToolOutcome.Failed failed -> "failed";
        };
        turn.step("tool", tool, status, started, 0, 0, text);
        return new ToolResult(text, outcome instanceof ToolOutcome.ApprovalRequired);
    }

    /** The tools offered to the model: those the agent names, among those its grants let it use. */
    private List<ToolDescriptor> offeredTools(Turn turn) {
        Set<String> named = turn.spec.config().tools().stream().map(AgentConfig.ToolRef::name).collect(Collectors.toSet());
        if (named.isEmpty()) {
            return List.of();
        }
        return toolCatalog.availableTo(turn.caller, turn.spec.slug())
            .stream()
            .filter(tool -> named.contains(tool.name()))
            .toList();
    }

    /**
     * The name a model sees for a tool: providers accept only letters, digits, {@code _} and {@code -} in function
     * names, so the namespace dot becomes {@code __} (and is mapped back when the model calls the tool).
     */
    static String modelName(String tool) {
        return tool.replace(".", "__");
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

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** One run in progress: counts steps and tokens and writes them as they happen. */
    private final class Turn {

        private final UUID runId;
        private final Caller caller;
        private final AgentSpec spec;
        private final Instant started;
        private int steps;
        private long tokensIn;
        private long tokensOut;

        Turn(UUID runId, Caller caller, AgentSpec spec, Instant started) {
            this.runId = runId;
            this.caller = caller;
            this.spec = spec;
            this.started = started;
        }

        void step(String kind, String name, String outcome, Instant stepStarted, long in, long out, String detail) {
            steps++;
            tokensIn += in;
            tokensOut += out;
            ledger.step(runId, new RunLedger.Step(steps, kind, name, outcome, stepStarted,
                    Duration.between(stepStarted, now()).toMillis(), in, out, detail));
        }

        void finish(String status, String output, String error) {
            ProviderProperties.Price price = prices.get(spec.config().model().name());
            ledger.finish(runId, status, output, error, steps, tokensIn, tokensOut,
                    price == null ? null : price.of(tokensIn, tokensOut), now());
        }
    }
}
