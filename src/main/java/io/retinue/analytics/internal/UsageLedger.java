package io.retinue.analytics.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.runtime.RunEnded;
import io.retinue.shared.Timestamps;
import jakarta.annotation.PreDestroy;

/**
 * Adds each stretch of a run, as the runtime reports it ended, to the day's aggregates: its usage to the counters of
 * its tenant, day, agent, version and model; once the run has ended for good, the run itself — its outcome, its
 * working time (over all its stretches) to the histogram, its session to the day's sessions. A stretch reported twice
 * is added once.
 * <p>
 * Runs ending at the same time mostly add to the same rows (one agent, one day): each such row would be written once
 * per run, one transaction after the other. So the stretches reported meanwhile are added together, in one transaction
 * that writes each row they touch once; whoever reported one waits until that transaction has committed (the event is
 * taken only then, and handed over again should it fail).
 */
@Component
class UsageLedger {

    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);

    private static final List<String> MODEL_KEY = List.of("tenant_id", "utc_day", "agent_slug", "version", "provider",
            "model");
    private static final List<String> USAGE_COUNTERS = List.of("runs", "completed", "failed", "cancelled",
            "timed_out", "waits", "turns", "model_calls", "tool_calls", "tool_failures", "tokens_in", "tokens_out",
            "cost_usd", "unpriced_tokens", "worked_ms");
    private static final Counters USAGE = new Counters("analytics.usage_day", MODEL_KEY, USAGE_COUNTERS);
    private static final Counters LATENCY = new Counters("analytics.latency_day",
            List.of("tenant_id", "utc_day", "agent_slug", "version", "provider", "model", "bucket"), List.of("runs"));
    private static final Counters TOOLS = new Counters("analytics.tool_day",
            List.of("tenant_id", "utc_day", "agent_slug", "version", "tool"), List.of("calls", "failures", "duration_ms"));
    /** The most stretches added in one transaction. */
    private static final int BATCH = 500;
    /** How long a report waits for its stretch to be added before it gives up (and is handed over again later). */
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private record Pending(RunEnded ended, CompletableFuture<Void> added) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread adder;
    private volatile boolean running = true;

    UsageLedger(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.adder = Thread.ofPlatform().daemon().name("usage-ledger").start(this::addWhileRunning);
    }

    /** Adds the stretch {@code ended} reports, unless it was added before; returns once that is committed. */
    void add(RunEnded ended) {
        Pending pending = new Pending(ended, new CompletableFuture<>());
        queue.add(pending);
        try {
            pending.added().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the run's usage was added", interrupted);
        }
        catch (ExecutionException failed) {
            throw failed.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException(failed.getCause());
        }
        catch (TimeoutException slow) {
            throw new IllegalStateException("The run's usage was not added within " + PATIENCE.toSeconds() + " s");
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        adder.interrupt();
    }

    private void addWhileRunning() {
        while (running) {
            List<Pending> batch = new ArrayList<>();
            try {
                Pending first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                transactions.executeWithoutResult(
                        status -> addTogether(batch.stream().map(Pending::ended).toList()));
                batch.forEach(pending -> pending.added().complete(null));
            }
            catch (InterruptedException stopping) {
                batch.forEach(pending -> pending.added().completeExceptionally(stopping));
                Thread.currentThread().interrupt();
                break;
            }
            catch (RuntimeException failed) {
                log.debug("Could not add {} stretches of runs to the usage: {}", batch.size(), failed.getMessage());
                batch.forEach(pending -> pending.added().completeExceptionally(failed));
            }
        }
        queue.forEach(pending -> pending.added().completeExceptionally(new IllegalStateException("stopping")));
    }

    /** A row of usage counters: what the stretches of one tenant, day, agent, version and model add to it. */
    private static final class Amounts {

        final Map<String, Object> counters = new HashMap<>();

        Amounts() {
            USAGE_COUNTERS.forEach(counter -> counters.put(counter, 0L));
            counters.put("cost_usd", BigDecimal.ZERO);
        }

        void add(String counter, long amount) {
            counters.merge(counter, amount, (a, b) -> (Long) a + (Long) b);
        }

        void addCost(BigDecimal amount) {
            counters.merge("cost_usd", amount, (a, b) -> ((BigDecimal) a).add((BigDecimal) b));
        }
    }

    /** Adds the stretches not added before, in the caller's transaction, each row they touch written once. */
    private void addTogether(List<RunEnded> reported) {
        List<RunEnded> fresh = new ArrayList<>();
        for (RunEnded ended : reported) {
            if (jdbc.sql("""
                    INSERT INTO analytics.stretch (run_id, steps, status, tenant_id, worked_ms, ended_at)
                    VALUES (:run, :steps, :status, :tenant, :worked, :at) ON CONFLICT DO NOTHING""")
                .param("run", ended.runId())
                .param("steps", ended.steps())
                .param("status", ended.status())
                .param("tenant", ended.tenant().value())
                .param("worked", usage(ended).workedMs())
                .param("at", Timestamps.of(ended.occurredAt()))
                .update() == 1) {
                fresh.add(ended);
            }
        }
        Map<UUID, Long> worked = workedTimes(fresh);
        Map<Map<String, Object>, Amounts> usage = new LinkedHashMap<>();
        Map<Map<String, Object>, Long> latencies = new LinkedHashMap<>();
        Map<Map<String, Object>, long[]> tools = new LinkedHashMap<>();
        Set<Map<String, Object>> sessions = new LinkedHashSet<>();
        for (RunEnded ended : fresh) {
            RunEnded.Usage used = usage(ended);
            LocalDate day = LocalDate.ofInstant(ended.occurredAt(), ZoneOffset.UTC);
            Map<String, Object> model = Map.of("tenant_id", ended.tenant().value(), "utc_day", day, "agent_slug",
                    orEmpty(ended.agent()), "version", ended.version(), "provider", orEmpty(used.provider()), "model",
                    orEmpty(used.model()));
            boolean ends = ended.endsRun();
            Amounts amounts = usage.computeIfAbsent(model, key -> new Amounts());
            amounts.add("runs", ends ? 1 : 0);
            amounts.add("completed", ended.status().equals("completed") ? 1 : 0);
            amounts.add("failed", ended.status().equals("failed") ? 1 : 0);
            amounts.add("cancelled", ended.status().equals("cancelled") ? 1 : 0);
            amounts.add("timed_out", ended.status().equals("timed_out") ? 1 : 0);
            amounts.add("waits", ends ? 0 : 1);
            amounts.add("turns", ends && used.session() != null ? 1 : 0);
            amounts.add("model_calls", used.modelCalls());
            amounts.add("tool_calls", used.tools().stream().mapToLong(RunEnded.ToolUse::calls).sum());
            amounts.add("tool_failures", used.tools().stream().mapToLong(RunEnded.ToolUse::failures).sum());
            amounts.add("tokens_in", used.tokensIn());
            amounts.add("tokens_out", used.tokensOut());
            amounts.addCost(used.costUsd() == null ? BigDecimal.ZERO : used.costUsd());
            amounts.add("unpriced_tokens", used.costUsd() == null ? used.tokensIn() + used.tokensOut() : 0);
            amounts.add("worked_ms", used.workedMs());
            for (RunEnded.ToolUse tool : used.tools()) {
                long[] sums = tools.computeIfAbsent(Map.of("tenant_id", ended.tenant().value(), "utc_day", day,
                        "agent_slug", orEmpty(ended.agent()), "version", ended.version(), "tool", tool.tool()),
                        key -> new long[3]);
                sums[0] += tool.calls();
                sums[1] += tool.failures();
                sums[2] += tool.durationMs();
            }
            if (ends) {
                Map<String, Object> bucket = new HashMap<>(model);
                bucket.put("bucket", LatencyBuckets.of(worked.getOrDefault(ended.runId(), used.workedMs())));
                latencies.merge(bucket, 1L, Long::sum);
                if (used.session() != null) {
                    Map<String, Object> session = new HashMap<>(model);
                    session.put("session", used.session());
                    sessions.add(session);
                }
            }
        }
        usage.forEach((model, amounts) -> USAGE.add(jdbc, model, amounts.counters));
        tools.forEach((tool, sums) -> TOOLS.add(jdbc, tool, Map.of("calls", sums[0], "failures", sums[1],
                "duration_ms", sums[2])));
        latencies.forEach((bucket, runs) -> LATENCY.add(jdbc, bucket, Map.of("runs", runs)));
        for (Map<String, Object> session : sessions) {
            jdbc.sql("""
                    INSERT INTO analytics.session_day (tenant_id, utc_day, agent_slug, version, provider, model, session_id)
                    VALUES (:tenant_id, :utc_day, :agent_slug, :version, :provider, :model, :session)
                    ON CONFLICT DO NOTHING""")
                .params(session)
                .update();
        }
    }

    /**
     * The working time of each run among {@code fresh} that ended for good over more than the stretch reported now
     * (one that went on after a person's decision); a run that ended in one stretch worked what that stretch did.
     */
    private Map<UUID, Long> workedTimes(List<RunEnded> fresh) {
        List<UUID> resumed = fresh.stream()
            .filter(RunEnded::endsRun)
            .filter(ended -> ended.steps() > usage(ended).modelCalls()
                    + usage(ended).tools().stream().mapToInt(RunEnded.ToolUse::calls).sum())
            .map(RunEnded::runId)
            .toList();
        Map<UUID, Long> worked = new HashMap<>();
        if (!resumed.isEmpty()) {
            jdbc.sql("SELECT run_id, SUM(worked_ms) AS worked FROM analytics.stretch WHERE run_id IN (:runs) "
                    + "GROUP BY run_id")
                .param("runs", resumed)
                .query((rs, n) -> worked.put(rs.getObject("run_id", UUID.class), rs.getLong("worked")))
                .list();
        }
        return worked;
    }

    private static RunEnded.Usage usage(RunEnded ended) {
        return ended.usage() == null ? new RunEnded.Usage(null, null, null, 0, 0, 0, null, 0, List.of())
                : ended.usage();
    }

    /** What is not known is kept as '' (key columns are not null). */
    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
