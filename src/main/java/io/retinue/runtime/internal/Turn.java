package io.retinue.runtime.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.agents.AgentSpec;
import io.retinue.runtime.RunEnded;
import io.retinue.runtime.internal.budgets.Budgets;
import io.retinue.runtime.internal.journal.RunJournal;
import io.retinue.runtime.internal.metrics.RunMeters;
import io.retinue.runtime.internal.providers.ProviderProperties;
import io.retinue.runtime.internal.webhooks.Webhooks;
import io.retinue.shared.Caller;
import tools.jackson.databind.JsonNode;

/**
 * One run in progress: counts its steps and tokens, writes each step to the {@link RunLedger} and each event to the
 * {@link RunJournal} as it happens, and records how the run ends. Tool calls of one round run in parallel, so writes
 * are serialised here.
 */
final class Turn {

    final UUID runId;
    final Caller caller;
    final AgentSpec spec;
    final UUID session;
    /** When this stretch of the run began: its start, or the decision it went on after. */
    final Instant started;
    private final RunLedger ledger;
    private final RunJournal journal;
    private final Clock clock;
    private final ProviderProperties.Price price;
    private final ReentrantLock writes = new ReentrantLock();
    private int steps;
    private long tokensIn;
    private long tokensOut;
    private int seq;
    /** Where this stretch began, for what it used: the run's tokens then, and its model calls and tools since. */
    private final RunLedger.Totals before;
    private int modelCalls;
    private final java.util.Map<String, ToolTally> toolUse = new java.util.TreeMap<>();
    private RunUpdate.ContextCompacted context;
    /**
     * The run's row as this turn wrote it, with the steps it wrote, when this turn started the run (else null): what
     * a caller who waited for the end is answered, without reading back what was just written.
     */
    private RunLedger.Run row;
    /** The run's own webhook, when this turn started the run (null: none, or not known). */
    private String webhook;
    private final List<RunLedger.Step> written = new ArrayList<>();
    /** Whether this turn saved a checkpoint (a row of its own, to delete at the end). */
    private volatile boolean checkpointed;
    /** Set when a transaction this turn wrote in rolled back: what it holds may then differ from what is kept. */
    private volatile boolean diverged;
    /** Set once the run's end (or its wait for a decision) is committed, which gave up the run's lease. */
    private volatile boolean ended;
    private volatile String endedAs;
    private volatile String endedCode;
    /** The trace the run belongs to (W3C traceparent; null until its first stretch when it began outside one). */
    private volatile String traceParent;
    /** This stretch's span, while it is worked on: the parent of its model and tool calls' spans. */
    private volatile io.micrometer.tracing.Span span;
    /** The budgets the run answered to at its last look before a model call, which that call's usage is added to. */
    private Budgets.Allowance allowance = Budgets.Allowance.NONE;
    /** How this turn's work runs (sync, stream, async), for the run meters; a turn that only ends a run: async. */
    private volatile String mode = "async";

    /** Where a turn records itself: what every turn of this instance shares. */
    record Records(RunLedger ledger, RunJournal journal, RunCheckpoints checkpoints, Webhooks webhooks, Clock clock,
            TransactionTemplate transactions, ApplicationEventPublisher events, RunMeters meters, Budgets budgets) {
    }

    private final Records records;

    Turn(UUID runId, Caller caller, AgentSpec spec, UUID session, RunLedger.Totals sofar, int lastSeq, Records records,
            ProviderProperties.Price price) {
        this(runId, caller, spec, session, sofar, lastSeq, records.ledger(), records.journal(), records.clock(), price,
                records);
    }

    private Turn(UUID runId, Caller caller, AgentSpec spec, UUID session, RunLedger.Totals sofar, int lastSeq,
            RunLedger ledger, RunJournal journal, Clock clock, ProviderProperties.Price price, Records records) {
        this.records = records;
        this.runId = runId;
        this.caller = caller;
        this.spec = spec;
        this.session = session;
        this.ledger = ledger;
        this.journal = journal;
        this.clock = clock;
        this.price = price;
        this.started = now();
        this.before = sofar;
        this.steps = sofar.steps();
        this.tokensIn = sofar.tokensIn();
        this.tokensOut = sofar.tokensOut();
        this.seq = lastSeq;
    }

    /**
     * The run as it was inserted, with its own webhook, by this turn's start: from here on the turn keeps what it
     * writes.
     */
    void started(RunLedger.Run inserted, String ownWebhook) {
        row = inserted;
        webhook = ownWebhook;
        traceParent = inserted.traceParent();
    }

    /** The trace the run belongs to, as its row keeps it. */
    void traced(String parent) {
        traceParent = parent;
    }

    String traceParent() {
        return traceParent;
    }

    /** The span of the stretch being worked on (null before and after). */
    io.micrometer.tracing.Span span() {
        return span;
    }

    void span(io.micrometer.tracing.Span stretch) {
        span = stretch;
    }

    /** How the stretch ended, for its span: the status recorded (null: not ended here), and the tokens it used. */
    String endedAs() {
        return endedAs;
    }

    String endedCode() {
        return endedCode;
    }

    long stretchTokensIn() {
        return tokensIn - before.tokensIn();
    }

    long stretchTokensOut() {
        return tokensOut - before.tokensOut();
    }

    /**
     * The run with its steps as they are now kept, when this turn started the run, its end is committed and all it
     * wrote was committed; else empty (then read them).
     */
    Optional<RunLedger.RunWithSteps> asWritten() {
        writes.lock();
        try {
            return row == null || !ended || diverged ? Optional.empty()
                    : Optional.of(new RunLedger.RunWithSteps(row, List.copyOf(written)));
        }
        finally {
            writes.unlock();
        }
    }

    /** Keeps the conversation so far, for the run to go on from should this instance stop. */
    void checkpoint(Conversation.Checkpoint conversation) {
        RunCheckpoints.Saved saved = new RunCheckpoints.Saved(caller, conversation, null, null);
        // A run this turn started has no checkpoint row before its first: that one is inserted, no update tried.
        boolean first = row != null && !checkpointed;
        checkpointed = true;
        if (first) {
            records.checkpoints().first(runId, saved, now());
        }
        else {
            records.checkpoints().save(runId, saved, now());
        }
    }

    void report(RunUpdate update) {
        writes.lock();
        try {
            journal.append(runId, ++seq, update.type(), update, now());
        }
        finally {
            writes.unlock();
        }
    }

    /**
     * Looks at the budgets the run answers to before a model call: why the call is not to be made when one is spent,
     * else empty (and the call's usage is added to them).
     */
    Optional<String> budgetSpent() {
        allowance = records.budgets().allowance(caller.tenant(), spec.slug());
        return allowance.refusal();
    }

    /** Records a finished model call, adds what it used to the run's budgets, and reports it. */
    void modelStep(String model, String outcome, Instant stepStarted, long in, long out, String answer,
            RunUpdate.StepFinished report) {
        Duration took = Duration.between(stepStarted, now());
        record(new RunLedger.Step(0, report.round(), "model", model, outcome, stepStarted, took.toMillis(), in, out,
                answer, null, null, null), report);
        BigDecimal cost = price == null ? null : price.of(in, out);
        writes.lock();
        try {
            modelCalls++;
        }
        finally {
            writes.unlock();
        }
        records.budgets().charge(allowance, caller.tenant(), runId, spec == null ? null : spec.slug(), in + out, cost);
        records.meters().modelCall(caller.tenant(), spec == null ? null : spec.slug(), model, outcome, took, in, out,
                cost);
    }

    /** How this turn's work runs, for the run meters: {@code sync}, {@code stream} or {@code async}. */
    void workedAs(String how) {
        mode = how;
    }

    /** The model's first piece of text in a streamed answer came {@code after} the call began. */
    void firstPiece(Duration after) {
        if (spec != null) {
            records.meters().firstPiece(spec.config().model().provider(), spec.config().model().name(), after);
        }
    }

    /** Records a finished tool call (arguments already masked) and reports it. */
    void toolStep(String tool, String outcome, Instant stepStarted, JsonNode arguments, String result,
            UUID executionId, RunUpdate.ToolFinished report) {
        Duration took = Duration.between(stepStarted, now());
        record(new RunLedger.Step(0, report.round(), "tool", tool, outcome, stepStarted, took.toMillis(), 0, 0, result,
                arguments, result == null ? null : result.getBytes(StandardCharsets.UTF_8).length, executionId), report);
        if (!"approval_required".equals(outcome)) {
            writes.lock();
            try {
                toolUse.computeIfAbsent(tool, name -> new ToolTally()).add(outcome, took);
            }
            finally {
                writes.unlock();
            }
        }
        records.meters().toolCall(tool, outcome, took);
    }

    private void record(RunLedger.Step step, RunUpdate.StepReport report) {
        writes.lock();
        try {
            steps++;
            tokensIn += step.tokensIn();
            tokensOut += step.tokensOut();
            RunLedger.Step numbered = new RunLedger.Step(steps, step.round(), step.kind(), step.name(),
                    step.outcome(), step.startedAt(), step.durationMs(), step.tokensIn(), step.tokensOut(),
                    step.detail(), step.arguments(), step.resultBytes(), step.executionId());
            watchRollback();
            ledger.step(runId, numbered);
            written.add(RunLedger.stored(numbered));
            report(report.numbered(steps));
        }
        finally {
            writes.unlock();
        }
    }

    /** Records and reports the tools the agent names that this run is not offered, and why. */
    void withheld(List<io.retinue.agents.ToolAvailability.Withheld> tools) {
        writes.lock();
        try {
            watchRollback();
            JsonNode kept = ledger.toolsWithheld(runId, tools);
            if (row != null) {
                row = row.withToolsWithheld(kept);
            }
            report(new RunUpdate.ToolsWithheld(tools));
        }
        finally {
            writes.unlock();
        }
    }

    /** Records and reports what fitting the context window did, when that changed. */
    void compacted(RunUpdate.ContextCompacted report) {
        writes.lock();
        try {
            if (report.equals(context)) {
                return;
            }
            context = report;
            watchRollback();
            JsonNode kept = ledger.context(runId, report);
            if (row != null) {
                row = row.withContext(kept);
            }
            report(report);
        }
        finally {
            writes.unlock();
        }
    }

    /** What fitting the context window did so far in this stretch of the run; null when nothing. */
    RunUpdate.ContextCompacted context() {
        return context;
    }

    long tokens() {
        return tokensIn + tokensOut;
    }

    boolean cancelling() {
        return ledger.isCancelling(runId);
    }

    void complete(String output) {
        end("completed", output, null, null);
    }

    /** Ends the run without an output: failed, cancelled or timed out, with a stable code and a message. */
    void end(String status, String errorCode, String error) {
        end(status, null, errorCode, error);
    }

    /** Stops the run until a person decides on the calls it holds back. */
    void awaitDecision(List<RunUpdate.PendingCall> pending) {
        String error = "Waiting for approval of " + pending.getFirst().tool() + ": " + pending.getFirst().reason();
        writes.lock();
        try {
            records.transactions().executeWithoutResult(tx -> {
                watchRollback();
                Instant at = now();
                if (!ledger.finish(runId, "requires_action", null, "approval_required", error, steps, tokensIn,
                        tokensOut, cost(), at, true)) {
                    // Cancelled meanwhile: nobody is to be asked for a decision.
                    recordEnd(CANCELLED_MEANWHILE);
                    return;
                }
                finished(new Outcome("requires_action", null, "approval_required", error), at);
                endedAs = "requires_action";
                endedCode = "approval_required";
                report(new RunUpdate.ActionRequired("requires_action", pending, error));
                published("requires_action", null, "approval_required", error);
                endedOnCommit("requires_action", Duration.between(started, at));
            });
        }
        finally {
            writes.unlock();
        }
    }

    private void end(String status, String output, String errorCode, String error) {
        writes.lock();
        try {
            records.transactions().executeWithoutResult(tx -> recordEnd(new Outcome(status, output, errorCode, error)));
        }
        finally {
            writes.unlock();
        }
    }

    /** How a run ended. */
    private record Outcome(String status, String output, String errorCode, String error) {
    }

    private static final Outcome CANCELLED_MEANWHILE = new Outcome("cancelled", null, "cancelled",
            "Cancelled while it was working (its steps keep what it did)");

    /**
     * Records the end in the caller's transaction. A completion that finds a cancel asked for meanwhile ends the run
     * cancelled instead: the cancel was answered first.
     */
    private void recordEnd(Outcome outcome) {
        watchRollback();
        BigDecimal cost = cost();
        Outcome recorded = outcome;
        Instant at = now();
        if (!ledger.finish(runId, outcome.status(), outcome.output(), outcome.errorCode(), outcome.error(), steps,
                tokensIn, tokensOut, cost, at, outcome.status().equals("completed"))) {
            recorded = CANCELLED_MEANWHILE;
            at = now();
            ledger.finish(runId, recorded.status(), null, recorded.errorCode(), recorded.error(), steps, tokensIn,
                    tokensOut, cost, at, false);
        }
        finished(recorded, at);
        endedAs = recorded.status();
        endedCode = recorded.errorCode();
        report(new RunUpdate.Ended(recorded.status(), recorded.output(), recorded.errorCode(), recorded.error(), steps,
                tokensIn, tokensOut, cost));
        // Nothing goes on from an ended run. One this turn started has a checkpoint row only if it saved one (what it
        // started from is cleared from its own row by the finish).
        if (row == null || checkpointed) {
            records.checkpoints().delete(runId);
        }
        published(recorded.status(), recorded.output(), recorded.errorCode(), recorded.error());
        endedOnCommit(recorded.status(), Duration.between(started, at));
    }

    /** Keeps the end (or the wait for a decision) as {@link RunLedger#finish} wrote it. */
    private void finished(Outcome outcome, Instant at) {
        if (row != null) {
            row = row.finished(outcome.status(), outcome.output(), outcome.errorCode(), outcome.error(), steps, tokensIn,
                    tokensOut, cost(), at);
        }
    }

    /** What this turn keeps in memory is worth nothing once a transaction it wrote in has rolled back. */
    private void watchRollback() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    if (status != STATUS_COMMITTED) {
                        diverged = true;
                    }
                }
            });
        }
    }

    /** Tells the run's webhooks and other modules, in the transaction that recorded the outcome. */
    private void published(String status, String output, String errorCode, String error) {
        Instant at = now();
        RunEnded event = new RunEnded(runId, caller.tenant(), spec == null ? null : spec.slug(),
                spec == null ? 0 : spec.version(), status, errorCode, at, steps, usage(at));
        if (row != null) {
            records.webhooks().ended(event, webhook, output, error, tokensIn, tokensOut, cost());
        }
        else {
            records.webhooks().ended(event, output, error, tokensIn, tokensOut, cost());
        }
        records.events().publishEvent(event);
    }

    /** Whether the run's end (or its wait for a decision) was recorded: it holds no lease any more. */
    boolean ended() {
        return ended;
    }

    /** Whether the end recorded was a completion (a cancel asked for meanwhile makes it one no more). */
    boolean completed() {
        return "completed".equals(endedAs);
    }

    /**
     * Marks the run ended once the transaction recording it commits (the caller's, when it has one), and counts it
     * then: an end rolled back is not one.
     */
    private void endedOnCommit(String status, Duration took) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                ended = true;
                records.meters().runEnded(caller.tenant(), spec == null ? null : spec.slug(), mode, status, took);
            }
        });
    }

    /** What this stretch of the run used, up to {@code at}. */
    private RunEnded.Usage usage(Instant at) {
        BigDecimal cost = cost();
        if (cost != null) {
            cost = cost.subtract(price.of(before.tokensIn(), before.tokensOut()));
        }
        return new RunEnded.Usage(spec == null ? null : spec.config().model().provider(),
                spec == null ? null : spec.config().model().name(), session, modelCalls,
                tokensIn - before.tokensIn(), tokensOut - before.tokensOut(), cost,
                Math.max(0, Duration.between(started, at).toMillis()),
                toolUse.entrySet().stream().map(tool -> tool.getValue().of(tool.getKey())).toList());
    }

    /** One tool's calls so far in this stretch. */
    private static final class ToolTally {

        private int calls;
        private int failures;
        private long millis;

        void add(String outcome, Duration took) {
            calls++;
            millis += took.toMillis();
            if (!outcome.startsWith("completed")) {
                failures++;
            }
        }

        RunEnded.ToolUse of(String tool) {
            return new RunEnded.ToolUse(tool, calls, failures, millis);
        }
    }

    private BigDecimal cost() {
        return price == null ? null : price.of(tokensIn, tokensOut);
    }

    long millisSince(Instant started) {
        return Duration.between(started, now()).toMillis();
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
