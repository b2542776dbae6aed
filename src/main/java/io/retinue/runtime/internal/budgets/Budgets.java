package io.retinue.runtime.internal.budgets;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentSpec;
import io.retinue.runtime.internal.cache.Cached;
import io.retinue.runtime.internal.webhooks.Webhooks;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.KeysetCursor;
import io.retinue.shared.Page;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.retinue.shared.TimeOrderedIds;
import io.retinue.shared.Timestamps;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Spending budgets: a cap on the tokens and/or the estimated cost in USD that a tenant's runs (or one agent's) may use
 * in a UTC day or month. Each is looked at before every model call, and a run whose budget is spent ends
 * {@code failed} with errorCode {@code budget_exceeded} instead of making the call; what a call used is added once it
 * is answered (its size is known only then), in the transaction that records the step. When a period's usage first
 * reaches 80 % and 100 % of a cap, the tenant's webhook subscriptions get a signed {@code budget.threshold_reached}
 * notice, once per threshold and period. Usage counts from the budget's creation (or the start of its period, after).
 * <p>
 * Most runs answer to no budget: that is remembered per tenant and agent for {@link #UNBUDGETED_FOR}, so their calls
 * read nothing. A budget made, changed or removed is seen at once by the instance it was made on, and by the others
 * within that time.
 */
@Component
public class Budgets {

    private static final Logger log = LoggerFactory.getLogger(Budgets.class);

    static final ProblemType EXISTS = ProblemType.of("runtime/budget-exists", HttpStatus.CONFLICT, "Budget exists");

    /** How long an instance takes it that runs of an agent answer to no budget, once it found none. */
    static final Duration UNBUDGETED_FOR = Duration.ofSeconds(5);

    /** The thresholds, in per cent of a cap, that the tenant is told of. */
    private static final int WARNING = 80;
    private static final int EXHAUSTED = 100;

    @Schema(description = "A budget to set: the tenant's (no agent) or one agent's (id or slug), per UTC day or month; "
            + "maxTokens, maxCostUsd or both")
    public record BudgetRequest(String agent,
            @Schema(allowableValues = { "day", "month" }) String period, Long maxTokens, BigDecimal maxCostUsd) {
    }

    @Schema(description = "A budget and what its current period has used")
    public record Budget(UUID id, @Schema(description = "The agent's slug; null: every run of the tenant") String agent,
            @Schema(allowableValues = { "day", "month" }) String period, Long maxTokens, BigDecimal maxCostUsd,
            Usage usage, Instant createdAt, Instant updatedAt) {
    }

    @Schema(description = "What the budget's current period has used; percent is of the cap nearest to being reached")
    public record Usage(Instant periodStart, Instant resetsAt, long tokens, BigDecimal costUsd, int percent,
            boolean exhausted) {
    }

    /** The budgets a run answers to, as they stood before a model call; {@link #NONE} when it answers to none. */
    public record Allowance(List<Budget> budgets) {

        public static final Allowance NONE = new Allowance(List.of());

        public Allowance {
            budgets = List.copyOf(budgets);
        }

        /** Why the call is not to be made, when a budget is spent. */
        public Optional<String> refusal() {
            return budgets.stream().filter(budget -> budget.usage().exhausted()).findFirst().map(Budgets::spent);
        }
    }

    private final JdbcClient jdbc;
    private final AgentCatalog agents;
    private final Webhooks webhooks;
    private final Clock clock;
    /** Tenants and agents whose runs were found to answer to no budget (the value is always true). */
    private final Cache<Scope, Boolean> unbudgeted = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(UNBUDGETED_FOR)
        .build();

    private record Scope(TenantId tenant, String agent) {
    }

    Budgets(JdbcClient jdbc, @Cached AgentCatalog agents, Webhooks webhooks, Clock clock) {
        this.jdbc = jdbc;
        this.agents = agents;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    public Budget create(TenantId tenant, BudgetRequest request) {
        String agent = checked(tenant, request, null);
        BudgetPeriod period = BudgetPeriod.of(request.period()).orElseThrow();
        Instant now = now();
        UUID id = TimeOrderedIds.next();
        try {
            jdbc.sql("""
                    INSERT INTO runtime.budget (id, tenant_id, agent_slug, period, max_tokens, max_cost_usd,
                        period_start, tokens_used, cost_used, notified, created_at, updated_at)
                    VALUES (:id, :tenant, :agent, :period, :tokens, :cost, :start, 0, 0, 0, :now, :now)""")
                .param("id", id)
                .param("tenant", tenant.value())
                .param("agent", agent == null ? "" : agent)
                .param("period", period.wire())
                .param("tokens", request.maxTokens())
                .param("cost", request.maxCostUsd())
                .param("start", Timestamps.of(period.start(now)))
                .param("now", Timestamps.of(now))
                .update();
        }
        catch (DuplicateKeyException exists) {
            throw new DomainProblem(EXISTS, (agent == null ? "The tenant" : "The agent '" + agent + "'") + " has a "
                    + period.adjective() + " budget already: change that one (PUT) or delete it first");
        }
        changed(tenant);
        return find(tenant, id).orElseThrow();
    }

    /** Changes a budget's caps; its scope and period stay (a request naming others is refused). */
    public Optional<Budget> update(TenantId tenant, UUID id, BudgetRequest request) {
        Optional<Budget> current = find(tenant, id);
        if (current.isEmpty()) {
            return current;
        }
        checked(tenant, request, current.get());
        jdbc.sql("""
                UPDATE runtime.budget SET max_tokens = :tokens, max_cost_usd = :cost, updated_at = :now,
                    notified = CASE WHEN notified = 100 AND NOT (:exhausted) THEN 80 ELSE notified END
                WHERE tenant_id = :tenant AND id = :id""")
            .param("tokens", request.maxTokens())
            .param("cost", request.maxCostUsd())
            // A raised cap that is no longer reached may be reached again, and is told of again then.
            .param("exhausted", reached(current.get().usage(), request.maxTokens(), request.maxCostUsd()) >= EXHAUSTED)
            .param("now", Timestamps.of(now()))
            .param("tenant", tenant.value())
            .param("id", id)
            .update();
        changed(tenant);
        return find(tenant, id);
    }

    public boolean delete(TenantId tenant, UUID id) {
        boolean deleted = jdbc.sql("DELETE FROM runtime.budget WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .update() == 1;
        changed(tenant);
        return deleted;
    }

    /** This instance looks at the tenant's budgets again from its runs' next model calls. */
    private void changed(TenantId tenant) {
        unbudgeted.asMap().keySet().removeIf(scope -> scope.tenant().equals(tenant));
    }

    public Optional<Budget> find(TenantId tenant, UUID id) {
        Instant now = now();
        return jdbc.sql("SELECT * FROM runtime.budget WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .query((rs, n) -> budget(rs, now))
            .optional();
    }

    /** A page of the tenant's budgets, newest first; {@code agent} (a slug) keeps that agent's alone. */
    public Page<Budget> list(TenantId tenant, String agent, int limit, String cursor) {
        String filters = "budgets|" + agent;
        KeysetCursor after = KeysetCursor.read(cursor, filters);
        Map<String, Object> params = new HashMap<>(Map.of("tenant", tenant.value(), "limit", limit + 1));
        if (agent != null) {
            params.put("agent", agent);
        }
        if (after != null) {
            params.put("cursorAt", Timestamps.of(after.at()));
            params.put("cursorId", after.id());
        }
        Instant now = now();
        List<Budget> rows = jdbc.sql("SELECT * FROM runtime.budget WHERE tenant_id = :tenant"
                + (agent == null ? "" : " AND agent_slug = :agent")
                + (after == null ? "" : " AND " + KeysetCursor.condition("created_at"))
                + " ORDER BY created_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .params(params)
            .query((rs, n) -> budget(rs, now))
            .list();
        return KeysetCursor.page(rows, limit, Budget::createdAt, Budget::id, filters);
    }

    /** The budgets a run of {@code agent} answers to now: the tenant's and the agent's own. */
    public Allowance allowance(TenantId tenant, String agent) {
        Scope scope = new Scope(tenant, agent);
        if (unbudgeted.getIfPresent(scope) != null) {
            return Allowance.NONE;
        }
        Instant now = now();
        List<Budget> budgets = jdbc.sql("""
                SELECT * FROM runtime.budget WHERE tenant_id = :tenant AND agent_slug IN ('', :agent)""")
            .param("tenant", tenant.value())
            .param("agent", agent)
            .query((rs, n) -> budget(rs, now))
            .list();
        if (budgets.isEmpty()) {
            unbudgeted.put(scope, true);
            return Allowance.NONE;
        }
        return new Allowance(budgets);
    }

    /**
     * Adds what a model call of {@code run} used to the budgets it answered to, in the caller's transaction, and
     * tells the tenant of each threshold that reaches first. Budgets are updated in one order (their ids), so two runs
     * adding to the same ones never wait on each other in a circle.
     */
    public void charge(Allowance allowance, TenantId tenant, UUID run, String agent, long tokens, BigDecimal cost) {
        if (allowance.budgets().isEmpty() || tokens == 0 && (cost == null || cost.signum() == 0)) {
            return;
        }
        Instant now = now();
        List<Budget> budgets = new ArrayList<>(allowance.budgets());
        budgets.sort(Comparator.comparing(Budget::id));
        for (Budget budget : budgets) {
            BudgetPeriod period = BudgetPeriod.of(budget.period()).orElseThrow();
            Instant start = period.start(now);
            // A new period starts from nothing (a step of a late instance still in the last counts in this one).
            jdbc.sql("""
                    UPDATE runtime.budget SET
                        tokens_used = CASE WHEN period_start < :start THEN 0 ELSE tokens_used END + :tokens,
                        cost_used = CASE WHEN period_start < :start THEN 0 ELSE cost_used END + :cost,
                        notified = CASE WHEN period_start < :start THEN 0 ELSE notified END,
                        period_start = CASE WHEN period_start < :start THEN :start ELSE period_start END
                    WHERE id = :id""")
                .param("start", Timestamps.of(start))
                .param("tokens", tokens)
                .param("cost", cost == null ? BigDecimal.ZERO : cost)
                .param("id", budget.id())
                .update();
            jdbc.sql("SELECT * FROM runtime.budget WHERE id = :id")
                .param("id", budget.id())
                .query((rs, n) -> budget(rs, now))
                .optional()
                .ifPresent(charged -> notify(tenant, run, agent, charged, now));
        }
    }

    /** Tells the tenant of the highest threshold the budget has reached, unless it was told of it this period. */
    private void notify(TenantId tenant, UUID run, String agent, Budget budget, Instant now) {
        int reached = reached(budget.usage(), budget.maxTokens(), budget.maxCostUsd());
        int threshold = reached >= EXHAUSTED ? EXHAUSTED : reached >= WARNING ? WARNING : 0;
        if (threshold == 0 || jdbc.sql("""
                UPDATE runtime.budget SET notified = :threshold
                WHERE id = :id AND notified < :threshold AND period_start = :start""")
            .param("threshold", threshold)
            .param("id", budget.id())
            .param("start", Timestamps.of(budget.usage().periodStart()))
            .update() == 0) {
            return;
        }
        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("event", "budget.threshold_reached");
        notice.put("threshold", threshold);
        notice.put("budgetId", budget.id());
        notice.put("agent", budget.agent());
        notice.put("period", budget.period());
        notice.put("periodStart", budget.usage().periodStart());
        notice.put("resetsAt", budget.usage().resetsAt());
        notice.put("maxTokens", budget.maxTokens());
        notice.put("maxCostUsd", budget.maxCostUsd());
        notice.put("tokensUsed", budget.usage().tokens());
        notice.put("costUsedUsd", budget.usage().costUsd());
        notice.put("runId", run);
        notice.put("runAgent", agent);
        notice.put("occurredAt", now);
        webhooks.notice(tenant, run, agent, budget.id().toString(), notice, now);
        log.info("Budget {} of tenant {} ({}, {}) reached {} %: {} tokens, {} USD", budget.id(), tenant,
                budget.agent() == null ? "all agents" : budget.agent(), budget.period(), threshold,
                budget.usage().tokens(), budget.usage().costUsd());
    }

    /** What is wrong with a request to set a budget (or change {@code current}); the agent's slug when it names one. */
    private String checked(TenantId tenant, BudgetRequest request, Budget current) {
        List<Violation> problems = new ArrayList<>();
        String agent = null;
        if (request == null) {
            throw DomainProblem.invalid(List.of(new Violation("", "a budget is required")));
        }
        if (request.agent() != null) {
            Optional<AgentSpec> spec = request.agent().isBlank() || request.agent().length() > 200 ? Optional.empty()
                    : agents.spec(tenant, request.agent(), null);
            if (spec.isEmpty()) {
                problems.add(new Violation("/agent", "names no published agent of this tenant"));
            }
            else {
                agent = spec.get().slug();
            }
        }
        if (request.period() == null) {
            problems.add(new Violation("/period", "is required: day or month"));
        }
        else if (BudgetPeriod.of(request.period()).isEmpty()) {
            problems.add(new Violation("/period", "is day or month"));
        }
        if (request.maxTokens() == null && request.maxCostUsd() == null) {
            problems.add(new Violation("/maxTokens", "maxTokens, maxCostUsd or both are required"));
        }
        if (request.maxTokens() != null && request.maxTokens() <= 0) {
            problems.add(new Violation("/maxTokens", "is a positive number of tokens"));
        }
        if (request.maxCostUsd() != null && (request.maxCostUsd().signum() <= 0
                || request.maxCostUsd().compareTo(new BigDecimal("1000000000")) >= 0
                || request.maxCostUsd().stripTrailingZeros().scale() > 8)) {
            problems.add(new Violation("/maxCostUsd", "is a positive amount of USD below 1e9, to at most 8 decimals"));
        }
        if (current != null && problems.isEmpty()) {
            if (!java.util.Objects.equals(agent, current.agent())) {
                problems.add(new Violation("/agent", "stays '" + current.agent() + "': a budget's scope is not changed"));
            }
            if (!current.period().equals(request.period())) {
                problems.add(new Violation("/period", "stays " + current.period() + ": a budget's period is not changed"));
            }
        }
        if (!problems.isEmpty()) {
            throw DomainProblem.invalid(problems);
        }
        return agent;
    }

    /** How far usage has gone towards the nearer cap, in per cent (rounded down). */
    private static int reached(Usage usage, Long maxTokens, BigDecimal maxCostUsd) {
        long percent = 0;
        if (maxTokens != null) {
            percent = Math.max(percent, Math.min(usage.tokens(), Long.MAX_VALUE / 100) * 100 / maxTokens);
        }
        if (maxCostUsd != null) {
            percent = Math.max(percent, usage.costUsd().multiply(BigDecimal.valueOf(100))
                .divide(maxCostUsd, 0, RoundingMode.DOWN)
                .min(BigDecimal.valueOf(Integer.MAX_VALUE))
                .longValue());
        }
        return (int) Math.min(percent, Integer.MAX_VALUE);
    }

    private static String spent(Budget budget) {
        String adjective = BudgetPeriod.of(budget.period()).orElseThrow().adjective();
        String what = budget.agent() == null ? "The tenant's " + adjective + " budget"
                : "The " + adjective + " budget of agent '" + budget.agent() + "'";
        String caps = budget.maxTokens() != null && budget.usage().tokens() >= budget.maxTokens()
                ? budget.maxTokens() + " tokens (" + budget.usage().tokens() + " used)"
                : budget.maxCostUsd().toPlainString() + " USD (" + budget.usage().costUsd().toPlainString() + " used)";
        return what + " of " + caps + " is spent; it starts again at " + budget.usage().resetsAt();
    }

    private static Budget budget(ResultSet rs, Instant now) throws SQLException {
        BudgetPeriod period = BudgetPeriod.of(rs.getString("period")).orElseThrow();
        Instant start = Timestamps.read(rs, "period_start");
        boolean current = !start.isBefore(period.start(now));
        Instant periodStart = current ? start : period.start(now);
        long tokens = current ? rs.getLong("tokens_used") : 0;
        BigDecimal cost = current ? plain(rs.getBigDecimal("cost_used")) : BigDecimal.ZERO;
        Long maxTokens = rs.getObject("max_tokens") == null ? null : rs.getLong("max_tokens");
        BigDecimal maxCost = rs.getBigDecimal("max_cost_usd");
        String agent = rs.getString("agent_slug");
        Usage partial = new Usage(periodStart, period.end(periodStart), tokens, cost, 0, false);
        int percent = reached(partial, maxTokens, maxCost);
        boolean exhausted = maxTokens != null && tokens >= maxTokens
                || maxCost != null && cost.compareTo(maxCost) >= 0;
        return new Budget(rs.getObject("id", UUID.class), agent.isEmpty() ? null : agent, period.wire(), maxTokens,
                maxCost == null ? null : plain(maxCost),
                new Usage(periodStart, period.end(periodStart), tokens, cost, percent, exhausted),
                Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }

    /** An amount without the column's trailing zeros, never in exponent notation. */
    private static BigDecimal plain(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
