package io.retinue.runtime.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.ai.chat.messages.Message;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentSpec;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.Violation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's RuntimeManager: accepts runs of published agent versions — waited for, or on a virtual thread of this
 * instance while the caller polls or streams its events — cancels them, and takes a person's decision on a tool call
 * a run holds back and goes on from the run's checkpoint. The loop itself is the {@link AgentLoop}'s.
 */
@Service
public class AgentRunner {

    static final ProblemType NOT_RUNNABLE = ProblemType.of("runtime/agent-not-runnable", HttpStatus.CONFLICT,
            "Agent cannot run");
    static final ProblemType NOT_WAITING = ProblemType.of("runtime/run-not-waiting", HttpStatus.CONFLICT,
            "Run is not waiting for a decision");

    /** A request to run an agent once. */
    public record RunRequest(String agent, Integer version, String input, Map<String, String> variables,
            UUID session, String multitask, String onDisconnect) {
    }

    /**
     * A person's decision on the tool call a run waits on: {@code approve} (optionally with edited
     * {@code arguments}) or {@code reject} (the model is told, with the {@code comment}).
     */
    public record DecisionRequest(String decision, JsonNode arguments, String comment) {
    }

    private final AgentCatalog agents;
    private final AgentLoop loop;
    private final ContextWindow context;
    private final ModelProviders providers;
    private final RunLedger ledger;
    private final RunJournal journal;
    private final RunCheckpoints checkpoints;
    private final SessionStorage sessions;
    private final JsonMapper json;
    private final Clock clock;
    private final Map<String, ProviderProperties.Price> prices;
    private final Map<UUID, Thread> workers = new ConcurrentHashMap<>();

    AgentRunner(AgentCatalog agents, AgentLoop loop, ContextWindow context, ModelProviders providers, RunLedger ledger, RunJournal journal,
            RunCheckpoints checkpoints, SessionStorage sessions, JsonMapper json, Clock clock,
            ProviderProperties properties) {
        this.agents = agents;
        this.loop = loop;
        this.context = context;
        this.providers = providers;
        this.ledger = ledger;
        this.journal = journal;
        this.checkpoints = checkpoints;
        this.sessions = sessions;
        this.json = json;
        this.clock = clock;
        this.prices = properties.prices();
    }

    /** Runs an agent and returns when the run has ended (or waits for a decision). */
    public UUID run(Caller caller, RunRequest request) {
        Prepared prepared = prepare(caller, request, "running");
        execute(prepared);
        return prepared.turn().runId;
    }

    /** Accepts a run, answers at once and runs it on a virtual thread of this instance. */
    public UUID start(Caller caller, RunRequest request) {
        Prepared prepared = prepare(caller, request, "queued");
        inBackground(prepared);
        return prepared.turn().runId;
    }

    /**
     * Takes a decision on the first call the run holds back and lets the run go on — waited for when {@code wait},
     * else in the background. 409 when the run does not wait for one (or its session is busy with another turn).
     */
    public void decide(Caller caller, UUID runId, DecisionRequest request, boolean wait) {
        if (request == null || request.decision() == null
                || !(request.decision().equals("approve") || request.decision().equals("reject"))) {
            throw DomainProblem.invalid(List.of(new Violation("/decision", "must be approve or reject")));
        }
        if (request.arguments() != null && !request.arguments().isObject()) {
            throw DomainProblem.invalid(List.of(new Violation("/arguments", "must be a JSON object")));
        }
        RunLedger.Run run = find(caller, runId);
        RunCheckpoints.Saved saved = checkpoints.find(runId)
            .filter(checkpoint -> run.status().equals("requires_action"))
            .orElseThrow(() -> new DomainProblem(NOT_WAITING, "Run " + runId + " is " + run.status()
                    + ", not waiting for a decision"));
        AgentSpec spec = agents.spec(caller.tenant(), run.agentSlug(), run.agentVersion())
            .orElseThrow(() -> new DomainProblem(NOT_RUNNABLE, "The version the run pinned is no longer runnable"));
        UUID session = run.sessionId();
        if (session != null) {
            claim(session, runId, "reject");
        }
        if (!ledger.resume(runId)) {
            if (session != null) {
                sessions.release(session, runId);
            }
            throw new DomainProblem(NOT_WAITING, "Run " + runId + " was decided on (or cancelled) meanwhile");
        }
        Turn turn = turn(runId, saved.caller(), spec, session, run);
        turn.report(new RunUpdate.Started(runId, spec.slug(), spec.version(), session, true));
        Prepared prepared = new Prepared(turn, Conversation.restore(saved.conversation(), json), null, null,
                new AgentLoop.Decision(request.decision().equals("approve"), request.arguments(), request.comment(),
                        caller.principalId()));
        if (wait) {
            execute(prepared);
        }
        else {
            inBackground(prepared);
        }
    }

    /**
     * Asks a run to stop: a queued or running run ends {@code cancelled} — at once if it runs on this instance (its
     * thread is interrupted, in-flight model and tool calls included), else at its next step; a run waiting for a
     * decision ends at once.
     */
    public boolean cancel(Caller caller, UUID runId) {
        RunLedger.Run run = find(caller, runId);
        if (ledger.cancelWaiting(runId)) {
            AgentSpec spec = agents.spec(caller.tenant(), run.agentSlug(), run.agentVersion()).orElse(null);
            turn(runId, caller, spec, null, run).end("cancelled", "cancelled", "Cancelled while waiting for a decision");
            checkpoints.delete(runId);
            return true;
        }
        if (!ledger.requestCancel(runId)) {
            return false;
        }
        Thread worker = workers.get(runId);
        if (worker != null) {
            worker.interrupt();
        }
        return true;
    }

    private RunLedger.Run find(Caller caller, UUID runId) {
        return ledger.find(caller.tenant(), runId).orElseThrow(() -> DomainProblem.notFound("Run '" + runId + "'"));
    }

    /** A run accepted and recorded, ready to execute: a new turn (system and input) or one going on after a decision. */
    private record Prepared(Turn turn, Conversation resumed, String system, String input, AgentLoop.Decision decision) {
    }

    private Prepared prepare(Caller caller, RunRequest request, String status) {
        if (request.input() == null || request.input().isBlank()) {
            throw DomainProblem.invalid(List.of(new Violation("/input", "is required")));
        }
        if (request.onDisconnect() != null && !List.of("cancel", "continue").contains(request.onDisconnect())) {
            throw DomainProblem.invalid(List.of(new Violation("/onDisconnect", "must be cancel or continue")));
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
        ledger.start(caller.tenant(), new RunLedger.Run(runId, spec.agentId().value(), spec.slug(), spec.version(),
                caller.principalId(), status, request.input(), null, null, null, 0, 0, 0, null,
                clock.instant().truncatedTo(ChronoUnit.MICROS), null, request.session(), null));
        Turn turn = turn(runId, caller, spec, request.session(), null);
        turn.report(new RunUpdate.Started(runId, spec.slug(), spec.version(), request.session(), false));
        return new Prepared(turn, null, system, request.input(), null);
    }

    private Turn turn(UUID runId, Caller caller, AgentSpec spec, UUID session, RunLedger.Run sofar) {
        ProviderProperties.Price price = spec == null ? null : prices.get(spec.config().model().name());
        return new Turn(runId, caller, spec, session, sofar, sofar == null ? 0 : journal.lastSeq(runId), ledger, journal,
                clock, price);
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

    private void inBackground(Prepared prepared) {
        Thread.ofVirtual().name("run-" + prepared.turn().runId).start(() -> {
            ledger.markRunning(prepared.turn().runId);
            execute(prepared);
        });
    }

    private void execute(Prepared prepared) {
        Turn turn = prepared.turn();
        workers.put(turn.runId, Thread.currentThread());
        Conversation conversation = prepared.resumed();
        try {
            if (turn.cancelling()) {
                turn.end("cancelled", "cancelled", "Cancelled before it started");
                return;
            }
            AgentConfig.Model model = turn.spec.config().model();
            ModelConnection connection;
            try {
                connection = providers.connection(turn.caller.tenant(), model.provider()).orElse(null);
            }
            catch (ModelProviders.KeyMissing missing) {
                turn.end("failed", "provider_key_missing", missing.getMessage());
                return;
            }
            if (connection == null) {
                turn.end("failed", "provider_not_configured", "The model provider '" + model.provider()
                        + "' is not configured on this installation or for this tenant");
                return;
            }
            if (!connection.offers(model.name())) {
                turn.end("failed", "model_not_offered", "The connection '" + model.provider() + "' does not offer the "
                        + "model '" + model.name() + "'");
                return;
            }
            if (conversation == null) {
                conversation = context.open(turn, connection, prepared.system(), prepared.input());
            }
            List<Message> added = loop.run(turn, connection, conversation, prepared.decision());
            if (turn.session != null && !added.isEmpty()) {
                sessions.append(turn.session, turn.runId, added);
            }
        }
        catch (RuntimeException unexpected) {
            // A cancel interrupts this thread; clear the flag so that recording the outcome is not interrupted too.
            Thread.interrupted();
            if (turn.cancelling()) {
                turn.end("cancelled", "cancelled", "Cancelled while running");
            }
            else {
                turn.end("failed", "internal", "The run failed: " + unexpected.getMessage());
            }
        }
        finally {
            workers.remove(turn.runId);
            Thread.interrupted();
            if (prepared.resumed() != null && (conversation == null || conversation.firstAwaiting() < 0)) {
                checkpoints.delete(turn.runId);
            }
            if (turn.session != null) {
                sessions.release(turn.session, turn.runId);
            }
        }
    }
}
