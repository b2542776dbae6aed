package io.retinue.analytics.internal;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.retinue.runtime.RunEnded;
import io.retinue.shared.Timestamps;

/**
 * Adds each stretch of a run, as the runtime reports it ended, to the day's aggregates: its usage to the counters of
 * its tenant, day, agent, version and model; once the run has ended for good, the run itself — its outcome, its
 * working time (over all its stretches) to the histogram, its session to the day's sessions. A stretch reported twice
 * is added once.
 */
@Component
class UsageLedger {

    private static final List<String> MODEL_KEY = List.of("tenant_id", "utc_day", "agent_slug", "version", "provider",
            "model");
    private static final Counters USAGE = new Counters("analytics.usage_day", MODEL_KEY, List.of("runs", "completed",
            "failed", "cancelled", "timed_out", "waits", "turns", "model_calls", "tool_calls", "tool_failures",
            "tokens_in", "tokens_out", "cost_usd", "unpriced_tokens", "worked_ms"));
    private static final Counters LATENCY = new Counters("analytics.latency_day",
            List.of("tenant_id", "utc_day", "agent_slug", "version", "provider", "model", "bucket"), List.of("runs"));
    private static final Counters TOOLS = new Counters("analytics.tool_day",
            List.of("tenant_id", "utc_day", "agent_slug", "version", "tool"), List.of("calls", "failures", "duration_ms"));

    private final JdbcClient jdbc;

    UsageLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds the stretch {@code ended} reports, in the caller's transaction, unless it was added before. */
    void add(RunEnded ended) {
        RunEnded.Usage usage = ended.usage() == null
                ? new RunEnded.Usage(null, null, null, 0, 0, 0, null, 0, List.of()) : ended.usage();
        boolean first = jdbc.sql("""
                INSERT INTO analytics.stretch (run_id, steps, status, tenant_id, worked_ms, ended_at)
                VALUES (:run, :steps, :status, :tenant, :worked, :at) ON CONFLICT DO NOTHING""")
            .param("run", ended.runId())
            .param("steps", ended.steps())
            .param("status", ended.status())
            .param("tenant", ended.tenant().value())
            .param("worked", usage.workedMs())
            .param("at", Timestamps.of(ended.occurredAt()))
            .update() == 1;
        if (!first) {
            return;
        }
        LocalDate day = LocalDate.ofInstant(ended.occurredAt(), ZoneOffset.UTC);
        Map<String, Object> model = new HashMap<>();
        model.put("tenant_id", ended.tenant().value());
        model.put("utc_day", day);
        model.put("agent_slug", orEmpty(ended.agent()));
        model.put("version", ended.version());
        model.put("provider", orEmpty(usage.provider()));
        model.put("model", orEmpty(usage.model()));
        boolean ends = ended.endsRun();
        long tokens = usage.tokensIn() + usage.tokensOut();
        Map<String, Object> amounts = new HashMap<>();
        amounts.put("runs", ends ? 1 : 0);
        amounts.put("completed", ended.status().equals("completed") ? 1 : 0);
        amounts.put("failed", ended.status().equals("failed") ? 1 : 0);
        amounts.put("cancelled", ended.status().equals("cancelled") ? 1 : 0);
        amounts.put("timed_out", ended.status().equals("timed_out") ? 1 : 0);
        amounts.put("waits", ends ? 0 : 1);
        amounts.put("turns", ends && usage.session() != null ? 1 : 0);
        amounts.put("model_calls", usage.modelCalls());
        amounts.put("tool_calls", usage.tools().stream().mapToLong(RunEnded.ToolUse::calls).sum());
        amounts.put("tool_failures", usage.tools().stream().mapToLong(RunEnded.ToolUse::failures).sum());
        amounts.put("tokens_in", usage.tokensIn());
        amounts.put("tokens_out", usage.tokensOut());
        amounts.put("cost_usd", usage.costUsd() == null ? BigDecimal.ZERO : usage.costUsd());
        amounts.put("unpriced_tokens", usage.costUsd() == null ? tokens : 0);
        amounts.put("worked_ms", usage.workedMs());
        USAGE.add(jdbc, model, amounts);
        for (RunEnded.ToolUse tool : usage.tools()) {
            TOOLS.add(jdbc, Map.of("tenant_id", ended.tenant().value(), "utc_day", day, "agent_slug",
                    orEmpty(ended.agent()), "version", ended.version(), "tool", tool.tool()),
                    Map.of("calls", tool.calls(), "failures", tool.failures(), "duration_ms", tool.durationMs()));
        }
        if (!ends) {
            return;
        }
        long worked = jdbc.sql("SELECT SUM(worked_ms) FROM analytics.stretch WHERE run_id = :run")
            .param("run", ended.runId())
            .query(Long.class)
            .single();
        Map<String, Object> bucket = new HashMap<>(model);
        bucket.put("bucket", LatencyBuckets.of(worked));
        LATENCY.add(jdbc, bucket, Map.of("runs", 1));
        if (usage.session() != null) {
            Map<String, Object> session = new HashMap<>(model);
            session.put("session", usage.session());
            jdbc.sql("""
                    INSERT INTO analytics.session_day (tenant_id, utc_day, agent_slug, version, provider, model, session_id)
                    VALUES (:tenant_id, :utc_day, :agent_slug, :version, :provider, :model, :session)
                    ON CONFLICT DO NOTHING""")
                .params(session)
                .update();
        }
    }

    /** What is not known is kept as '' (key columns are not null). */
    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
