package io.retinue.runtime.internal;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.retinue.runtime.internal.queue.RunQueue;
import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs and their steps ({@code runtime.run}, {@code runtime.run_step}). */
@Repository
public class RunLedger {

    /**
     * A run as recorded. Its times are named after what happened: {@code createdAt} when it was accepted,
     * {@code startedAt} when work on it began (null while queued), {@code finishedAt} when it ended (null until then)
     * and {@code waitingSince} while it waits for a person. Kept, {@code finishedAt} is also when it began to wait.
     */
    @Schema(description = "A run: the agent version it ran, who started it, its status, input and output, error "
            + "code, step count, tokens and estimated cost, and when it was accepted, started, ended or began to wait")
    public record Run(UUID id, UUID agentId, String agentSlug, int agentVersion, String caller, String status,
            String input, String output, String errorCode, String error, int steps, long tokensIn, long tokensOut,
            java.math.BigDecimal estimatedCostUsd, Instant createdAt, Instant startedAt,
            @JsonIgnore Instant finishedAt, UUID sessionId, JsonNode context,
            @Schema(description = "Tools the agent names that the run was not offered ({tool, reason}); null when none")
            JsonNode toolsWithheld, @JsonIgnore String traceParent) {

        /** The run as {@link RunLedger#finish} leaves it. */
        Run finished(String status, String output, String errorCode, String error, int steps, long tokensIn,
                long tokensOut, java.math.BigDecimal cost, Instant finishedAt) {
            return new Run(id, agentId, agentSlug, agentVersion, caller, status, input, output, errorCode,
                    stored(error), steps, tokensIn, tokensOut, cost, createdAt, startedAt, finishedAt, sessionId,
                    context, toolsWithheld, traceParent);
        }

        /** The trace the run's spans belong to (W3C trace id, 32 hex digits); null when it was not traced. */
        @JsonProperty("traceId")
        @Schema(description = "The trace of the run's spans (W3C trace id); look it up in your tracing backend")
        String traceId() {
            return io.retinue.shared.tracing.Traces.traceIdOf(traceParent);
        }

        /** When the run ended; null while it is in progress or waits for a person. */
        @JsonProperty("finishedAt")
        Instant endedAt() {
            return status.equals("requires_action") ? null : finishedAt;
        }

        /** When the run began to wait for a person; null unless it waits. */
        @JsonProperty("waitingSince")
        Instant waitingSince() {
            return status.equals("requires_action") ? finishedAt : null;
        }

        /** Queued, running or being cancelled: not yet ended, nor waiting for a person. */
        public boolean inProgress() {
            return status.equals("queued") || status.equals("running") || status.equals("cancelling");
        }

        /** The run with what fitting the context window did, as {@link RunLedger#context} keeps it. */
        Run withContext(JsonNode report) {
            return new Run(id, agentId, agentSlug, agentVersion, caller, status, input, output, errorCode, error, steps,
                    tokensIn, tokensOut, estimatedCostUsd, createdAt, startedAt, finishedAt, sessionId, report,
                    toolsWithheld, traceParent);
        }

        /** The run with the tools it was not offered, as {@link RunLedger#toolsWithheld} keeps them. */
        Run withToolsWithheld(JsonNode withheld) {
            return new Run(id, agentId, agentSlug, agentVersion, caller, status, input, output, errorCode, error, steps,
                    tokensIn, tokensOut, estimatedCostUsd, createdAt, startedAt, finishedAt, sessionId, context,
                    withheld, traceParent);
        }
    }

    /** A run with its steps, as a caller reads it. */
    public record RunWithSteps(Run run, List<Step> steps) {
    }

    /**
     * One step: a model call (with its tokens; {@code detail} is the answer's text) or a tool call (with its masked
     * arguments, the size of its result and the tool execution it made; {@code detail} is what the model was given).
     */
    @Schema(description = "One step of a run, numbered as recorded and of a model round: a model call (detail is "
            + "the answer's text) or a tool call (masked arguments, the size of its result and its execution; detail "
            + "is what the model was given)")
    public record Step(int number, Integer round, String kind, String name, String outcome, Instant startedAt,
            long durationMs, long tokensIn, long tokensOut, String detail, JsonNode arguments, Integer resultBytes,
            UUID executionId) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    RunLedger(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Records a new run: queued, or running under the {@code lease} of the instance that starts it at once; with what
     * it starts from ({@link RunCheckpoints#startState}), kept until it ends.
     */
    void start(TenantId tenant, Run run, String webhook, RunQueue.Lease lease, String startState) {
        jdbc.sql("""
                INSERT INTO runtime.run (id, tenant_id, agent_id, agent_slug, agent_version, caller, status, input,
                    steps, tokens_in, tokens_out, started_at, began_at, session_id, queued_at, webhook_url,
                    lease_owner, lease_expires_at, attempts, start_state, trace_parent)
                VALUES (:id, :tenant, :agent, :slug, :version, :caller, :status, :input, 0, 0, 0, :started, :began,
                    :session, :queued, :webhook, :owner, :expires, :attempts, :startState, :trace)""")
            .param("trace", run.traceParent())
            .param("startState", startState)
            .param("owner", lease == null ? null : lease.owner())
            .param("expires", lease == null ? null : Timestamps.of(lease.expiresAt()))
            .param("attempts", lease == null ? 0 : 1)
            .param("webhook", webhook)
            .param("session", run.sessionId())
            .param("queued", run.status().equals("queued") ? Timestamps.of(run.createdAt()) : null)
            .param("began", run.startedAt() == null ? null : Timestamps.of(run.startedAt()))
            .param("id", run.id())
            .param("tenant", tenant.value())
            .param("agent", run.agentId())
            .param("slug", run.agentSlug())
            .param("version", run.agentVersion())
            .param("caller", run.caller())
            .param("status", run.status())
            .param("input", run.input())
            .param("started", Timestamps.of(run.createdAt()))
            .update();
    }

    /** What a run's recorded steps add up to: where a resumed run's counts go on from. */
    record Totals(int steps, long tokensIn, long tokensOut) {

        static final Totals NONE = new Totals(0, 0, 0);
    }

    Totals totals(UUID run) {
        return jdbc.sql("""
                SELECT COUNT(*) AS steps, COALESCE(SUM(tokens_in), 0) AS tokens_in, COALESCE(SUM(tokens_out), 0)
                    AS tokens_out FROM runtime.run_step WHERE run_id = :run""")
            .param("run", run)
            .query((rs, n) -> new Totals(rs.getInt("steps"), rs.getLong("tokens_in"), rs.getLong("tokens_out")))
            .single();
    }

    /** A run by id alone, for the instance that works on it. */
    Optional<Run> find(UUID id) {
        return jdbc.sql("SELECT * FROM runtime.run WHERE id = :id").param("id", id).query((rs, n) -> run(rs)).optional();
    }

    TenantId tenantOf(UUID id) {
        return new TenantId(jdbc.sql("SELECT tenant_id FROM runtime.run WHERE id = :id").param("id", id)
            .query(String.class).single());
    }

    /** Takes a run that waits for a decision back to running; false when it is not waiting (any more). */
    boolean resume(UUID run) {
        return jdbc.sql("""
                UPDATE runtime.run SET status = 'running', error = NULL, error_code = NULL, finished_at = NULL
                WHERE id = :id AND status = 'requires_action'""")
            .param("id", run)
            .update() == 1;
    }

    /** Names the trace of a run that began outside any (a schedule's, say): its first stretch's. */
    void traced(UUID run, String traceParent) {
        jdbc.sql("UPDATE runtime.run SET trace_parent = :trace WHERE id = :id AND trace_parent IS NULL")
            .param("trace", traceParent)
            .param("id", run)
            .update();
    }

    /** Runs that have waited for a decision since before {@code cutoff}. */
    List<UUID> waitingSince(Instant cutoff) {
        return jdbc.sql("SELECT id FROM runtime.run WHERE status = 'requires_action' AND finished_at < :cutoff "
                + "FETCH FIRST 100 ROWS ONLY")
            .param("cutoff", Timestamps.of(cutoff))
            .query(UUID.class)
            .list();
    }

    /** Cancels a run that waits for a decision (no worker holds it); false when it is not waiting. */
    boolean cancelWaiting(UUID run) {
        return jdbc.sql("UPDATE runtime.run SET status = 'cancelling' WHERE id = :id AND status = 'requires_action'")
            .param("id", run)
            .update() == 1;
    }

    /** Marks a queued or running run as being cancelled; false when it has already ended. */
    boolean requestCancel(UUID run) {
        return jdbc.sql("UPDATE runtime.run SET status = 'cancelling' WHERE id = :id AND status IN ('queued', 'running')")
            .param("id", run)
            .update() == 1;
    }

    boolean isCancelling(UUID run) {
        return "cancelling".equals(jdbc.sql("SELECT status FROM runtime.run WHERE id = :id")
            .param("id", run)
            .query(String.class)
            .optional()
            .orElse(null));
    }

    /** Records what fitting the context window did for the run so far; answers it as a reader of the run gets it. */
    JsonNode context(UUID run, RunUpdate.ContextCompacted report) {
        String kept = json.writeValueAsString(report);
        jdbc.sql("UPDATE runtime.run SET context_report = :report WHERE id = :id")
            .param("report", kept)
            .param("id", run)
            .update();
        return json.readTree(kept);
    }

    JsonNode toolsWithheld(UUID run, Object withheld) {
        String kept = json.writeValueAsString(withheld);
        jdbc.sql("UPDATE runtime.run SET tools_withheld = :withheld WHERE id = :id")
            .param("withheld", kept)
            .param("id", run)
            .update();
        return json.readTree(kept);
    }

    void step(UUID run, Step step) {
        jdbc.sql("""
                INSERT INTO runtime.run_step (run_id, step_no, round_no, kind, name, outcome, started_at, duration_ms,
                    tokens_in, tokens_out, detail, arguments, result_bytes, execution_id)
                VALUES (:run, :number, :round, :kind, :name, :outcome, :started, :duration, :in, :out, :detail,
                    :arguments, :resultBytes, :execution)""")
            .param("arguments", step.arguments() == null ? null : json.writeValueAsString(step.arguments()))
            .param("resultBytes", step.resultBytes())
            .param("execution", step.executionId())
            .param("run", run)
            .param("number", step.number())
            .param("round", step.round())
            .param("kind", step.kind())
            .param("name", step.name())
            .param("outcome", step.outcome())
            .param("started", Timestamps.of(step.startedAt()))
            .param("duration", step.durationMs())
            .param("in", step.tokensIn())
            .param("out", step.tokensOut())
            .param("detail", stored(step).detail())
            .update();
    }

    /** A step as it is kept: its detail's first 16 KiB (characters). */
    static Step stored(Step step) {
        return step.detail() == null || step.detail().length() <= 16_384 ? step
                : new Step(step.number(), step.round(), step.kind(), step.name(), step.outcome(), step.startedAt(),
                        step.durationMs(), step.tokensIn(), step.tokensOut(),
                        step.detail().substring(0, 16_384) + "…[truncated]", step.arguments(), step.resultBytes(),
                        step.executionId());
    }

    /**
     * Records how a run ended (or that it waits for a decision) and gives up its lease with it: nobody works on it any
     * more. {@code unlessCancelling}: not if a cancel was asked for (answering false) — the cancel, answered first,
     * wins. The row's lock orders the two: whichever writes first, the other sees what it wrote.
     */
    boolean finish(UUID run, String status, String output, String errorCode, String error, int steps, long tokensIn,
            long tokensOut, java.math.BigDecimal cost, Instant finishedAt, boolean unlessCancelling) {
        return jdbc.sql("""
                UPDATE runtime.run SET status = :status, output = :output, error_code = :code, error = :error, steps = :steps,
                    tokens_in = :in, tokens_out = :out, estimated_cost_usd = :cost, finished_at = :finished,
                    lease_owner = NULL, lease_expires_at = NULL, start_state = NULL
                WHERE id = :id""" + (unlessCancelling ? " AND status <> 'cancelling'" : ""))
            .param("cost", cost)
            .param("code", errorCode)
            .param("status", status)
            .param("output", output)
            .param("error", stored(error))
            .param("steps", steps)
            .param("in", tokensIn)
            .param("out", tokensOut)
            .param("finished", Timestamps.of(finishedAt))
            .param("id", run)
            .update() == 1;
    }

    /** An error message as a run keeps it: its first 2,000 characters. */
    public static String stored(String error) {
        return error == null ? null : error.substring(0, Math.min(2000, error.length()));
    }

    /** A run of the tenant with its steps. */
    public Optional<RunWithSteps> withSteps(TenantId tenant, UUID id) {
        return find(tenant, id).map(run -> new RunWithSteps(run, steps(id)));
    }

    public Optional<Run> find(TenantId tenant, UUID id) {
        return jdbc.sql("SELECT * FROM runtime.run WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .query((rs, n) -> run(rs))
            .optional();
    }

    public List<Step> steps(UUID run) {
        return jdbc.sql("SELECT * FROM runtime.run_step WHERE run_id = :run ORDER BY step_no")
            .param("run", run)
            .query((rs, n) -> new Step(rs.getInt("step_no"), rs.getObject("round_no", Integer.class),
                    rs.getString("kind"), rs.getString("name"),
                    rs.getString("outcome"), Timestamps.read(rs, "started_at"), rs.getLong("duration_ms"),
                    rs.getLong("tokens_in"), rs.getLong("tokens_out"), rs.getString("detail"),
                    rs.getString("arguments") == null ? null : json.readTree(rs.getString("arguments")),
                    rs.getObject("result_bytes", Integer.class), rs.getObject("execution_id", UUID.class)))
            .list();
    }

    /** A page of runs, newest first. */
    public io.retinue.shared.Page<Run> query(RunQuery query) {
        Map<String, Object> params = new HashMap<>();
        String where = query.where(params);
        params.put("limit", query.limit() + 1);
        List<Run> runs = jdbc.sql("SELECT * FROM runtime.run WHERE " + where
                + " ORDER BY started_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .params(params)
            .query((rs, n) -> run(rs))
            .list();
        if (runs.size() <= query.limit()) {
            return new io.retinue.shared.Page<>(runs, null);
        }
        List<Run> page = runs.subList(0, query.limit());
        return new io.retinue.shared.Page<>(page, query.cursorAfter(page.getLast()));
    }

    private Run run(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Run(rs.getObject("id", UUID.class), rs.getObject("agent_id", UUID.class), rs.getString("agent_slug"),
                rs.getInt("agent_version"), rs.getString("caller"), rs.getString("status"), rs.getString("input"),
                rs.getString("output"), rs.getString("error_code"), rs.getString("error"), rs.getInt("steps"), rs.getLong("tokens_in"),
                rs.getLong("tokens_out"), rs.getBigDecimal("estimated_cost_usd"), Timestamps.read(rs, "started_at"),
                Timestamps.read(rs, "began_at"), Timestamps.read(rs, "finished_at"), rs.getObject("session_id", UUID.class),
                rs.getString("context_report") == null ? null : json.readTree(rs.getString("context_report")),
                rs.getString("tools_withheld") == null ? null : json.readTree(rs.getString("tools_withheld")),
                rs.getString("trace_parent"));
    }
}
