package io.retinue.runtime.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.messages.Message;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentSpec;
import io.retinue.runtime.internal.budgets.Budgets;
import io.retinue.runtime.internal.cache.Cached;
import io.retinue.runtime.internal.tracing.RunSpans;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.retinue.runtime.internal.journal.RunJournal;
import io.retinue.runtime.internal.metrics.RunMeters;
import io.retinue.runtime.internal.providers.ModelConnection;
import io.retinue.runtime.internal.providers.ModelProviders;
import io.retinue.runtime.internal.providers.ProviderProperties;
import io.retinue.runtime.internal.queue.QueueProperties;
import io.retinue.runtime.internal.queue.RunQueue;
import io.retinue.runtime.internal.sessions.SessionStorage;
import io.retinue.runtime.internal.webhooks.Webhooks;
import io.retinue.shared.Caller;
import io.retinue.shared.DatabaseUnavailable;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.retinue.shared.TimeOrderedIds;
import io.retinue.shared.Violation;
import io.retinue.shared.outbound.CallInterrupts;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's RuntimeManager: accepts runs of published agent versions and works on them — waited for on the request's
 * thread, or queued in the durable {@link RunQueue} for this or any instance's
 * {@link io.retinue.runtime.internal.queue.RunWorkers}. Whoever works on a run holds a lease on it; the run's
 * checkpoint lets another instance go on where a stopped one left off. It also cancels runs and takes a person's
 * decision on a tool call a run holds back. The loop itself is the {@link AgentLoop}'s.
 */
@Service
public class AgentRunner {

    private static final Logger log = LoggerFactory.getLogger(AgentRunner.class);

    public static final ProblemType NOT_RUNNABLE = ProblemType.of("runtime/agent-not-runnable", HttpStatus.CONFLICT,
            "Agent cannot run");
    static final ProblemType NOT_WAITING = ProblemType.of("runtime/run-not-waiting", HttpStatus.CONFLICT,
            "Run is not waiting for a decision");
    static final ProblemType QUEUE_FULL = ProblemType.of("runtime/queue-full", HttpStatus.SERVICE_UNAVAILABLE,
            "Run queue full");

    /**
     * A request to run an agent once. {@code webhook}: a URL told how the run ended (signed with the tenant's webhook
     * secret).
     */
    @Schema(description = "A request to run an agent once: the agent (id or slug) and version, the input and "
            + "template variables, a session to continue, and a webhook URL told how the run ended")
    public record RunRequest(String agent, Integer version, String input, Map<String, String> variables,
            UUID session, String multitask, String onDisconnect, String webhook) {
    }

    /**
     * A person's decision on the tool call a run waits on: {@code approve} (optionally with edited
     * {@code arguments}) or {@code reject} (the model is told, with the {@code comment}).
     */
    @Schema(description = "A decision on the tool call a run waits on: approve (optionally with edited arguments) "
            + "or reject (the model is told, with the comment)")
    public record DecisionRequest(String decision, JsonNode arguments, String comment) {

        public DecisionRequest {
            // "arguments": null says no more than leaving them out: the call keeps its own.
            arguments = arguments == null || arguments.isNull() ? null : arguments;
        }
    }

    private final AgentCatalog agents;
    private final AgentLoop loop;
    private final ContextWindow context;
    private final ModelProviders providers;
    private final RunLedger ledger;
    private final RunJournal journal;
    private final RunCheckpoints checkpoints;
    private final RunQueue queue;
    private final QueueProperties queueProperties;
    private final SessionStorage sessions;
    private final Webhooks webhooks;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final Clock clock;
    private final Map<String, ProviderProperties.Price> prices;
    private final Turn.Records records;
    private final RunSpans spans;
    /** Whether runs their callers wait for have the model stream its answers (else it answers whole). */
    private final boolean streamSyncRuns;
    private final Map<UUID, CallInterrupts> workers = new ConcurrentHashMap<>();
    /** Runs this instance let go of mid-way (it stops, or lost the lease): another instance goes on with them. */
    private final Set<UUID> abandoned = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    AgentRunner(@Cached AgentCatalog agents, AgentLoop loop, ContextWindow context, ModelProviders providers, RunLedger ledger,
            RunJournal journal, RunCheckpoints checkpoints, RunQueue queue, QueueProperties queueProperties,
            SessionStorage sessions, Webhooks webhooks, TransactionTemplate transactions,
            ApplicationEventPublisher events, JsonMapper json,
            Clock clock, ProviderProperties properties, RunMeters meters, Budgets budgets, RunSpans spans) {
        this.spans = spans;
        this.records = new Turn.Records(ledger, journal, checkpoints, webhooks, clock, transactions, events, meters,
                budgets);
        this.agents = agents;
        this.loop = loop;
        this.context = context;
        this.providers = providers;
        this.ledger = ledger;
        this.journal = journal;
        this.checkpoints = checkpoints;
        this.queue = queue;
        this.queueProperties = queueProperties;
        this.sessions = sessions;
        this.webhooks = webhooks;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
        this.prices = properties.prices();
        this.streamSyncRuns = properties.streamSyncRuns();
    }

    /**
     * Runs an agent and returns when the run has ended (or waits for a decision), with the run as it is kept then —
     * as this instance wrote it, not read back, unless it could not be sure of that.
     */
    public RunLedger.RunWithSteps run(Caller caller, RunRequest request) {
        Prepared prepared = prepare(caller, request, "running");
        Turn turn = prepared.turn();
        answered(workOn(prepared, streamSyncRuns, "sync"), turn.runId);
        return turn.asWritten().orElseGet(() -> ledger.withSteps(caller.tenant(), turn.runId)
            .orElseThrow(() -> new IllegalStateException("Run " + turn.runId + " is gone")));
    }

    /**
     * Starts a run at once on a thread of its own — a streamed run, whose caller is there and following its events —
     * holding its lease like a sync run (so that another instance goes on with it should this one die), and answers
     * its id. Not through the queue: a client waiting on a stream should not wait behind a backlog of async runs.
     */
    public UUID begin(Caller caller, RunRequest request) {
        Prepared prepared = prepare(caller, request, "running");
        Thread.ofVirtual().name("run-" + prepared.turn().runId).start(() -> workOn(prepared, true, "stream"));
        return prepared.turn().runId;
    }

    /**
     * Accepts a run into the durable queue — committed before this returns — and answers at once; a worker of this
     * or another instance runs it. 503 with Retry-After when the queue is beyond its configured depth.
     */
    public UUID start(Caller caller, RunRequest request) {
        return accept(caller, request).id();
    }

    /** Like {@link #start}, answering the run as it was accepted: queued, with no steps yet. */
    public RunLedger.Run accept(Caller caller, RunRequest request) {
        RunQueue.Depth depth = queue.depth();
        if (depth.queued() >= queueProperties.maxDepth()) {
            throw new QueueFull(depth.queued());
        }
        Prepared prepared = prepare(caller, request, "queued");
        queue.wake();
        return prepared.inserted();
    }

    /** Refused because the queue is full: retry after a while. */
    static final class QueueFull extends DomainProblem {

        QueueFull(long depth) {
            super(QUEUE_FULL, depth + " runs are waiting to run; retry shortly");
        }

        @Override
        public Duration retryAfter() {
            return Duration.ofSeconds(5);
        }
    }

    /**
     * Takes a decision on the first call the run holds back and lets the run go on — waited for when {@code wait},
     * else through the queue. 409 when the run does not wait for one (or its session is busy with another turn).
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
            .filter(checkpoint -> run.status().equals("requires_action") && checkpoint.conversation() != null)
            .orElseThrow(() -> new DomainProblem(NOT_WAITING, "Run " + runId + " is " + run.status()
                    + ", not waiting for a decision"));
        agents.spec(caller.tenant(), run.agentSlug(), run.agentVersion())
            .orElseThrow(() -> new DomainProblem(NOT_RUNNABLE, "The version the run pinned is no longer runnable"));
        UUID session = run.sessionId();
        if (session != null) {
            claim(session, runId, "reject");
        }
        // The run goes on running with this instance's lease, or queued, in the one transaction: a run seen running
        // without a lease is one whose instance stopped, which any worker would take up as well.
        boolean resumed = Boolean.TRUE.equals(transactions.execute(tx -> {
            if (!ledger.resume(runId)) {
                return false;
            }
            // The decision is kept with the checkpoint, so that it is not lost if this instance stops before acting
            // on it.
            checkpoints.save(runId, new RunCheckpoints.Saved(saved.caller(), saved.conversation(), null,
                    new AgentLoop.Decision(request.decision().equals("approve"), request.arguments(),
                            request.comment(), caller.principalId())), clock.instant());
            if (wait) {
                queue.hold(runId, queueProperties.lease());
            }
            else {
                queue.enqueue(runId);
            }
            return true;
        }));
        if (!resumed) {
            if (session != null) {
                sessions.release(session, runId);
            }
            throw new DomainProblem(NOT_WAITING, "Run " + runId + " was decided on (or cancelled) meanwhile");
        }
        if (wait) {
            answered(workOn(resumed(runId).orElseThrow(), streamSyncRuns, "sync"), runId);
        }
        else {
            queue.wake();
        }
    }

    /**
     * Asks a run to stop: a queued or running run ends {@code cancelled} — at once if it runs on this instance (its
     * model and tool calls in flight are interrupted, and it makes no new one), else at its next step; a run waiting
     * for a decision ends at once.
     */
    public boolean cancel(Caller caller, UUID runId) {
        RunLedger.Run run = find(caller, runId);
        AgentSpec waitingSpec = agents.spec(caller.tenant(), run.agentSlug(), run.agentVersion()).orElse(null);
        if (endWaiting(runId, caller, waitingSpec, "cancelled", "Cancelled while waiting for a decision")) {
            return true;
        }
        if (!ledger.requestCancel(runId)) {
            return false;
        }
        CallInterrupts worker = workers.get(runId);
        if (worker != null) {
            worker.interrupt();
        }
        return true;
    }

    /**
     * Waits up to {@code patience} for a run to end — only while this instance works on it (a cancel interrupts its
     * calls, so it ends at once); one running elsewhere ends at its next step, however long that takes.
     */
    public void awaitEnd(Caller caller, UUID runId, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        RunLedger.Run run = find(caller, runId);
        while (run.inProgress() && workers.containsKey(runId) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
                break;
            }
            run = find(caller, runId);
        }
    }

    /**
     * Ends the runs that have waited longer than {@code after} for a decision: {@code cancelled} with
     * {@code approval_expired}. Safe with several instances: only one wins each run.
     */
    public void expireWaiting(Duration after) {
        for (UUID runId : ledger.waitingSince(clock.instant().minus(after))) {
            RunLedger.Run run = ledger.find(runId).orElse(null);
            if (run == null) {
                continue;
            }
            TenantId tenant = ledger.tenantOf(runId);
            Caller caller = checkpoints.find(runId).map(RunCheckpoints.Saved::caller)
                .orElse(new Caller(tenant, run.caller(), Set.of()));
            AgentSpec spec = agents.spec(tenant, run.agentSlug(), run.agentVersion()).orElse(null);
            endWaiting(runId, caller, spec, "approval_expired", "No decision was taken within " + after.toHours() + " h");
        }
    }

    /**
     * Ends a run that waits for a decision as {@code cancelled}, if it still waits — in one transaction, so no worker
     * ever sees it half-way ({@code cancelling} with no lease would look like a run to take over).
     */
    private boolean endWaiting(UUID runId, Caller caller, AgentSpec spec, String errorCode, String error) {
        return Boolean.TRUE.equals(transactions.execute(tx -> {
            if (!ledger.cancelWaiting(runId)) {
                return false;
            }
            turn(runId, caller, spec, null, true).end("cancelled", errorCode, error);
            return true;
        }));
    }

    /** Works on a run this instance's worker claimed from the queue: from its start, or from its checkpoint. */
    public void workOnClaimed(UUID runId) {
        Prepared prepared;
        try {
            prepared = resumed(runId).orElse(null);
        }
        catch (RuntimeException failed) {
            if (DatabaseUnavailable.causedBy(failed)) {
                // Claimed, but nobody works on it: its lease is given up (once the database answers), not renewed.
                queue.release(runId);
            }
            throw failed;
        }
        if (prepared != null) {
            // Someone may follow a run in the background: its answers are streamed.
            workOn(prepared, true, "async");
        }
        else {
            queue.release(runId);
        }
    }

    /** Works on runs again (after a {@link #stop()}, when the application's lifecycle starts it once more). */
    public void accept() {
        abandoned.clear();
        stopping = false;
    }

    /**
     * Stops this instance's runs where they are, for another instance (or this one, restarted) to go on with: model
     * calls at once (asking again is harmless), tool calls in progress once they are done, within {@code drain} — one
     * cut short may have done its work without our record of it, and a tool that is not idempotent then waits for a
     * person to say whether to call it again. Each run stops at its next call.
     */
    public void stop(Duration drain) {
        stopping = true;
        workers.forEach((run, interrupts) -> {
            abandoned.add(run);
            interrupts.windDown();
        });
        long deadline = System.nanoTime() + drain.toNanos();
        while (!workers.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException hurried) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        workers.forEach((run, interrupts) -> {
            log.warn("Run {} is stopped in the middle of a tool call, which took longer than the drain ({})", run,
                    drain);
            interrupts.interrupt();
        });
    }

    /** Another instance took the run over (this one's lease lapsed): stop working on it, without ending it. */
    public void lost(UUID runId) {
        CallInterrupts worker = workers.get(runId);
        if (worker != null) {
            abandoned.add(runId);
            worker.interrupt();
        }
    }

    private RunLedger.Run find(Caller caller, UUID runId) {
        return ledger.find(caller.tenant(), runId).orElseThrow(() -> DomainProblem.notFound("Run '" + runId + "'"));
    }

    /**
     * A run ready to work on: a new turn (its instructions and input), or one going on from its checkpoint, with the
     * decision it goes on after, if any.
     */
    private record Prepared(Turn turn, Conversation resumed, String system, String input, AgentLoop.Decision decision,
            boolean justStarted, RunLedger.Run inserted) {
    }

    private Prepared prepare(Caller caller, RunRequest request, String status) {
        if (request.input() == null || request.input().isBlank()) {
            throw DomainProblem.invalid(List.of(new Violation("/input", "is required")));
        }
        if (request.onDisconnect() != null && !List.of("cancel", "continue").contains(request.onDisconnect())) {
            throw DomainProblem.invalid(List.of(new Violation("/onDisconnect", "must be cancel or continue")));
        }
        if (request.webhook() != null) {
            webhooks.check(caller.tenant(), request.webhook(), "/webhook");
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
        UUID runId = TimeOrderedIds.next();
        if (request.session() != null) {
            sessions.find(caller.tenant(), request.session())
                .orElseThrow(() -> DomainProblem.notFound("Session '" + request.session() + "'"));
            claim(request.session(), runId, request.multitask());
        }
        try {
            // The run, what it starts from and its first event are kept together: a queued run is never half there.
            // A run started at once holds its lease from the start.
            RunQueue.Lease lease = status.equals("running") ? queue.lease(queueProperties.lease()) : null;
            Instant accepted = clock.instant().truncatedTo(ChronoUnit.MICROS);
            RunLedger.Run inserted = new RunLedger.Run(runId, spec.agentId().value(), spec.slug(), spec.version(),
                    caller.principalId(), status, request.input(), null, null, null, 0, 0, 0, null, accepted,
                    lease != null ? accepted : null, null, request.session(), null, null, spans.traces().current());
            RunCheckpoints.Saved start = new RunCheckpoints.Saved(caller, null,
                    new RunCheckpoints.Start(system, request.input()), null);
            Turn turn = transactions.execute(tx -> {
                // A run started at once keeps its start in its own row; a queued one in a checkpoint row, which an
                // instance of the previous version (in a rolling upgrade) takes it from as well.
                ledger.start(caller.tenant(), inserted, request.webhook(), lease,
                        lease != null ? checkpoints.startState(start) : null);
                if (lease != null) {
                    queue.held(runId);
                }
                else {
                    checkpoints.first(runId, start, clock.instant());
                }
                Turn started = turn(runId, caller, spec, request.session(), false);
                started.started(inserted, request.webhook());
                started.report(new RunUpdate.Started(runId, spec.slug(), spec.version(), request.session(), false));
                return started;
            });
            return new Prepared(turn, null, system, request.input(), null, true, inserted);
        }
        catch (RuntimeException failed) {
            if (request.session() != null) {
                sessions.release(request.session(), runId);
            }
            throw failed;
        }
    }

    /** The run as its checkpoint left it, ready to go on; empty when it cannot (then it is ended as failed). */
    private java.util.Optional<Prepared> resumed(UUID runId) {
        RunLedger.Run run = ledger.find(runId).orElse(null);
        RunCheckpoints.Saved saved = checkpoints.find(runId).orElse(null);
        if (run == null) {
            return java.util.Optional.empty();
        }
        TenantId tenant = ledger.tenantOf(runId);
        AgentSpec spec = agents.spec(tenant, run.agentSlug(), run.agentVersion()).orElse(null);
        if (saved == null || spec == null) {
            log.warn("Run {} cannot go on: {}", runId, saved == null ? "no checkpoint" : "its agent version is gone");
            Turn turn = new Turn(runId, saved == null ? new Caller(tenant, run.caller(), Set.of())
                    : saved.caller(), spec, run.sessionId(), ledger.totals(runId), journal.lastSeq(runId), records, null);
            turn.end("failed", "internal", saved == null ? "The run lost what it was to start from"
                    : "The agent version the run pinned is no longer runnable");
            if (run.sessionId() != null) {
                sessions.release(run.sessionId(), runId);
            }
            return java.util.Optional.empty();
        }
        // The run's step count is written when it ends, so whether it had begun shows in its checkpoint alone.
        boolean fresh = saved.conversation() == null && saved.decision() == null;
        Turn turn = turn(runId, saved.caller(), spec, run.sessionId(), true);
        turn.traced(run.traceParent());
        if (!fresh) {
            // A queued run's start was reported when it was accepted; one that goes on says so.
            turn.report(new RunUpdate.Started(runId, spec.slug(), spec.version(), run.sessionId(), true));
        }
        return java.util.Optional.of(new Prepared(turn, saved.conversation() == null ? null
                : Conversation.restore(saved.conversation(), json), saved.start() == null ? null : saved.start().system(),
                saved.start() == null ? null : saved.start().input(), saved.decision(), false, null));
    }

    private Turn turn(UUID runId, Caller caller, AgentSpec spec, UUID session, boolean existing) {
        ProviderProperties.Price price = spec == null ? null : prices.get(spec.config().model().name());
        return new Turn(runId, caller, spec, session, existing ? ledger.totals(runId) : RunLedger.Totals.NONE,
                existing ? journal.lastSeq(runId) : 0, records, price);
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

    /**
     * For a caller waiting on the run: an outage that stopped it is answered 503 naming the run, which is not lost —
     * it goes on from its checkpoint once the database is back, and can be followed.
     */
    private static void answered(Worked worked, UUID runId) {
        if (worked == Worked.DATABASE_UNAVAILABLE) {
            throw new DatabaseUnavailable("The database could not be reached while the run was in progress; it goes "
                    + "on from where it was once the database is back: follow it at /api/v1/runs/" + runId,
                    Map.of("runId", runId));
        }
    }

    /** How working on a run came to an end for this instance. */
    private enum Worked {
        /** The run ended, or waits for a decision. */
        ENDED,
        /** This instance let go of it (it stops, or lost the lease, or was asked to stop); it goes on elsewhere. */
        LEFT,
        /** The database could not be reached: the run goes on from its checkpoint once it can, as after a crash. */
        DATABASE_UNAVAILABLE
    }

    /**
     * Works on a run this instance holds the lease of, and gives the lease up when done or stopped.
     * {@code streamAnswers}: the model streams its answers, each piece reported as a {@code text.delta}; {@code mode},
     * for the run meters: {@code sync} (its caller waits), {@code stream} or {@code async} (a worker).
     */
    private Worked workOn(Prepared prepared, boolean streamAnswers, String mode) {
        Turn turn = prepared.turn();
        turn.workedAs(mode);
        // The stretch's span: under the trace the run was started in (a request's, a schedule's first stretch's).
        Span stretch = spans.stretch(turn.traceParent(), turn.runId, turn.caller.tenant(), turn.spec, turn.session);
        if (turn.traceParent() == null) {
            turn.traced(spans.traces().header(stretch));
            ledger.traced(turn.runId, turn.traceParent());
        }
        turn.span(stretch);
        try (Tracer.SpanInScope scope = spans.traces().inScope(stretch)) {
            return execute(prepared, streamAnswers);
        }
        finally {
            turn.span(null);
            RunSpans.ended(stretch, turn.endedAs(), turn.endedCode(), turn.stretchTokensIn(), turn.stretchTokensOut());
            // Whoever goes on with the run numbers its events after those this instance still held.
            journal.released(prepared.turn().runId);
            if (prepared.turn().ended()) {
                queue.forget(prepared.turn().runId);
            }
            else {
                queue.release(prepared.turn().runId);
            }
        }
    }

    private Worked execute(Prepared prepared, boolean streamAnswers) {
        Turn turn = prepared.turn();
        // Cancelling (or letting go of) the run interrupts its model and tool calls, and never its database work.
        CallInterrupts interrupts = new CallInterrupts();
        CallInterrupts.bind(interrupts);
        workers.put(turn.runId, interrupts);
        Conversation conversation = prepared.resumed();
        Worked worked = Worked.ENDED;
        try {
            if (stopping) {
                worked = Worked.LEFT;
                return worked;
            }
            // A run this request has just started cannot have been asked to stop yet: nobody knows its id but us.
            // One going on is looked at before it does; from its next step on, the loop looks.
            if (!prepared.justStarted() && turn.cancelling()) {
                turn.end("cancelled", "cancelled", "Cancelled before it started");
                return worked;
            }
            AgentConfig.Model model = turn.spec.config().model();
            ModelConnection connection;
            try {
                connection = providers.connection(turn.caller.tenant(), model.provider()).orElse(null);
            }
            catch (ModelProviders.KeyMissing missing) {
                turn.end("failed", "provider_key_missing", missing.getMessage());
                return worked;
            }
            if (connection == null) {
                turn.end("failed", "provider_not_configured", "The model provider '" + model.provider()
                        + "' is not configured on this installation or for this tenant");
                return worked;
            }
            if (!connection.offers(model.name())) {
                turn.end("failed", "model_not_offered", "The connection '" + model.provider() + "' does not offer the "
                        + "model '" + model.name() + "'");
                return worked;
            }
            if (conversation == null) {
                conversation = context.open(turn, connection, prepared.system(), prepared.input());
            }
            List<Message> added = loop.run(turn, connection, conversation, prepared.decision(), streamAnswers);
            if (turn.session != null && !added.isEmpty()) {
                sessions.append(turn.session, turn.runId, added);
            }
        }
        catch (RuntimeException unexpected) {
            // Calls clear the interrupts they were stopped by; this is only in case something else interrupted.
            Thread.interrupted();
            if (abandoned.remove(turn.runId) || stopping) {
                worked = Worked.LEFT;
                log.info("Run {} left where it is, to go on from its checkpoint", turn.runId);
            }
            else {
                worked = afterFailure(turn, unexpected);
            }
        }
        finally {
            workers.remove(turn.runId);
            CallInterrupts.unbind();
            Thread.interrupted();
            // The run's end deleted its checkpoint; one waiting for a decision keeps it.
            if (worked == Worked.ENDED && turn.session != null) {
                sessions.release(turn.session, turn.runId);
            }
        }
        return worked;
    }

    /**
     * Ends a run that failed — cancelled if that was asked for, else failed — unless the database cannot be reached:
     * a transient fault is no reason to end an accepted run (nor could its end be written now). Then the run is left
     * as a crash leaves it, and taken up again from its checkpoint once the database is back. A failure of another
     * kind may be the outage's in disguise (a provider's stream broken by a write that failed): the look at whether
     * the run is being cancelled finds out.
     */
    private Worked afterFailure(Turn turn, RuntimeException failure) {
        RuntimeException outage = failure;
        if (!DatabaseUnavailable.causedBy(failure)) {
            try {
                if (turn.cancelling()) {
                    turn.end("cancelled", "cancelled", "Cancelled while running");
                }
                else {
                    log.warn("Run {} failed unexpectedly", turn.runId, failure);
                    turn.end("failed", "internal", "The run failed: " + failure.getMessage());
                }
                return Worked.ENDED;
            }
            catch (RuntimeException alsoFailed) {
                if (!DatabaseUnavailable.causedBy(alsoFailed)) {
                    throw alsoFailed;
                }
                outage = alsoFailed;
            }
        }
        log.warn("Run {} stopped where it is, to go on from its checkpoint once the database can be reached again: {}",
                turn.runId, NestedExceptionUtils.getMostSpecificCause(outage).getMessage());
        return Worked.DATABASE_UNAVAILABLE;
    }
}
