package io.retinue.analytics.internal;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;

/**
 * Answers usage and tool reports from the day aggregates: rows grouped by any of day, agent, version and model (tool,
 * for tools), over a range of UTC days, filtered, sorted and cut to the first {@code limit}. What a report reads
 * grows with the days, agents and models in it, not with the runs.
 */
@Component
public class UsageReports {

    /** The longest range a report covers. */
    static final int MAX_DAYS = 731;
    /** The most rows a report answers. */
    public static final int MAX_ROWS = 100_000;

    /** What a report's rows can be grouped by. */
    public enum Dimension {
        DAY("utc_day"), AGENT("agent_slug"), VERSION("version"), MODEL("provider, model"), TOOL("tool");

        final String columns;

        Dimension(String columns) {
            this.columns = columns;
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The dimensions of usage reports and of tool reports. */
    public static final List<Dimension> USAGE = List.of(Dimension.DAY, Dimension.AGENT, Dimension.VERSION,
            Dimension.MODEL);
    public static final List<Dimension> TOOLS = List.of(Dimension.DAY, Dimension.AGENT, Dimension.VERSION,
            Dimension.TOOL);

    /** Which rows a report covers: UTC days {@code from} to {@code to}, both included, and the filters given. */
    public record Query(LocalDate from, LocalDate to, List<Dimension> groupBy, String agent, Integer version,
            String model, String tool, String sort, int limit) {
    }

    /** The group a row stands for: the values of the dimensions grouped by (the others are null). */
    public record Group(LocalDate day, String agent, Integer version, String model, String tool) {
    }

    public record UsageRow(Group group, long runs, long completed, long failed, long cancelled, long timedOut,
            double errorRate, long waitsForDecision, long sessions, long turns, long modelCalls, long toolCalls,
            long toolFailures, long tokensIn, long tokensOut, BigDecimal costUsd, long unpricedTokens,
            Long latencyP50Ms, Long latencyP90Ms, Long latencyP99Ms) {
    }

    public record ToolRow(Group group, long calls, long failures, double failureRate, long averageMs) {
    }

    /** The fields usage rows can be sorted by, and how to read them. */
    public static final Map<String, Function<UsageRow, Comparable<?>>> USAGE_SORTS = sorts(Map.of(
            "runs", UsageRow::runs, "completed", UsageRow::completed, "failed", UsageRow::failed,
            "errorRate", UsageRow::errorRate, "tokens", row -> row.tokensIn() + row.tokensOut(),
            "costUsd", UsageRow::costUsd, "modelCalls", UsageRow::modelCalls, "toolCalls", UsageRow::toolCalls,
            "sessions", UsageRow::sessions, "latencyP90Ms", row -> row.latencyP90Ms() == null ? -1 : row.latencyP90Ms()));
    public static final Map<String, Function<ToolRow, Comparable<?>>> TOOL_SORTS = sorts(Map.of(
            "calls", ToolRow::calls, "failures", ToolRow::failures, "failureRate", ToolRow::failureRate,
            "averageMs", ToolRow::averageMs));

    private final JdbcClient jdbc;
    private final Clock clock;

    UsageReports(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The last 30 UTC days, today included, unless {@code from} or {@code to} says otherwise. */
    public LocalDate[] range(LocalDate from, LocalDate to) {
        LocalDate end = to != null ? to : from != null ? from.plusDays(29) : LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate start = from != null ? from : end.minusDays(29);
        if (start.isAfter(end)) {
            throw DomainProblem.invalidParameter("from", "is after to");
        }
        if (ChronoUnit.DAYS.between(start, end) >= MAX_DAYS) {
            throw DomainProblem.invalidParameter("to", "is at most " + MAX_DAYS + " days after from");
        }
        return new LocalDate[] { start, end };
    }

    public List<UsageRow> usage(TenantId tenant, Query query) {
        Filter filter = filter(tenant, query, false);
        String keys = keys(query.groupBy());
        Map<Group, UsageRow> rows = new LinkedHashMap<>();
        jdbc.sql("SELECT " + keys + "SUM(runs) AS runs, SUM(completed) AS completed, SUM(failed) AS failed, "
                + "SUM(cancelled) AS cancelled, SUM(timed_out) AS timed_out, SUM(waits) AS waits, SUM(turns) AS turns, "
                + "SUM(model_calls) AS model_calls, SUM(tool_calls) AS tool_calls, "
                + "SUM(tool_failures) AS tool_failures, SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, "
                + "SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens FROM analytics.usage_day"
                + filter.where() + groupBy(query.groupBy()))
            .params(filter.params())
            .query((rs, n) -> {
                Group group = group(rs, query.groupBy());
                long runs = rs.getLong("runs");
                long failed = rs.getLong("failed");
                long timedOut = rs.getLong("timed_out");
                BigDecimal cost = rs.getBigDecimal("cost_usd");
                rows.put(group, new UsageRow(group, runs, rs.getLong("completed"), failed, rs.getLong("cancelled"),
                        timedOut, runs == 0 ? 0 : (double) (failed + timedOut) / runs, rs.getLong("waits"), 0,
                        rs.getLong("turns"), rs.getLong("model_calls"), rs.getLong("tool_calls"),
                        rs.getLong("tool_failures"), rs.getLong("tokens_in"), rs.getLong("tokens_out"),
                        cost == null ? BigDecimal.ZERO : plain(cost), rs.getLong("unpriced_tokens"), null, null,
                        null));
                return null;
            })
            .list();
        Map<Group, long[]> latencies = new HashMap<>();
        jdbc.sql("SELECT " + keys + "bucket, SUM(runs) AS runs FROM analytics.latency_day" + filter.where()
                + groupBy(query.groupBy(), "bucket"))
            .params(filter.params())
            .query((rs, n) -> {
                latencies.computeIfAbsent(group(rs, query.groupBy()), key -> new long[LatencyBuckets.COUNT])
                    [rs.getInt("bucket")] += rs.getLong("runs");
                return null;
            })
            .list();
        Map<Group, Long> sessions = new HashMap<>();
        jdbc.sql("SELECT " + keys + "COUNT(DISTINCT session_id) AS sessions FROM analytics.session_day"
                + filter.where() + groupBy(query.groupBy()))
            .params(filter.params())
            .query((rs, n) -> sessions.put(group(rs, query.groupBy()), rs.getLong("sessions")))
            .list();
        List<UsageRow> answered = rows.values().stream().map(row -> {
            long[] counts = latencies.get(row.group());
            return new UsageRow(row.group(), row.runs(), row.completed(), row.failed(), row.cancelled(), row.timedOut(),
                    row.errorRate(), row.waitsForDecision(), sessions.getOrDefault(row.group(), 0L), row.turns(),
                    row.modelCalls(), row.toolCalls(), row.toolFailures(), row.tokensIn(), row.tokensOut(),
                    row.costUsd(), row.unpricedTokens(), counts == null ? null : LatencyBuckets.quantile(counts, 0.5),
                    counts == null ? null : LatencyBuckets.quantile(counts, 0.9),
                    counts == null ? null : LatencyBuckets.quantile(counts, 0.99));
        }).toList();
        return sorted(answered, query, USAGE_SORTS);
    }

    public List<ToolRow> tools(TenantId tenant, Query query) {
        Filter filter = filter(tenant, query, true);
        List<ToolRow> rows = jdbc.sql("SELECT " + keys(query.groupBy()) + "SUM(calls) AS calls, "
                + "SUM(failures) AS failures, SUM(duration_ms) AS duration_ms FROM analytics.tool_day"
                + filter.where() + groupBy(query.groupBy()))
            .params(filter.params())
            .query((rs, n) -> {
                long calls = rs.getLong("calls");
                long failures = rs.getLong("failures");
                return new ToolRow(group(rs, query.groupBy()), calls, failures,
                        calls == 0 ? 0 : (double) failures / calls, calls == 0 ? 0 : rs.getLong("duration_ms") / calls);
            })
            .list();
        return sorted(rows, query, TOOL_SORTS);
    }

    private record Filter(String where, Map<String, Object> params) {
    }

    private static Filter filter(TenantId tenant, Query query, boolean tools) {
        StringBuilder where = new StringBuilder(" WHERE tenant_id = :tenant AND utc_day BETWEEN :from AND :to");
        Map<String, Object> params = new HashMap<>(Map.of("tenant", tenant.value(), "from", query.from(), "to",
                query.to()));
        if (query.agent() != null) {
            where.append(" AND agent_slug = :agent");
            params.put("agent", query.agent());
        }
        if (query.version() != null) {
            where.append(" AND version = :version");
            params.put("version", query.version());
        }
        if (query.model() != null && !tools) {
            int slash = query.model().indexOf('/');
            where.append(" AND provider = :provider AND model = :model");
            params.put("provider", slash < 0 ? "" : query.model().substring(0, slash));
            params.put("model", slash < 0 ? query.model() : query.model().substring(slash + 1));
        }
        if (query.tool() != null && tools) {
            where.append(" AND tool = :tool");
            params.put("tool", query.tool());
        }
        return new Filter(where.toString(), params);
    }

    private static String keys(List<Dimension> groupBy) {
        return groupBy.stream().map(dimension -> dimension.columns + ", ").collect(Collectors.joining());
    }

    private static String groupBy(List<Dimension> groupBy, String... more) {
        List<String> columns = new ArrayList<>(groupBy.stream().map(dimension -> dimension.columns).toList());
        columns.addAll(List.of(more));
        return columns.isEmpty() ? "" : " GROUP BY " + String.join(", ", columns);
    }

    private static Group group(ResultSet rs, List<Dimension> groupBy) throws SQLException {
        return new Group(groupBy.contains(Dimension.DAY) ? rs.getObject("utc_day", LocalDate.class) : null,
                groupBy.contains(Dimension.AGENT) ? nullIfEmpty(rs.getString("agent_slug")) : null,
                groupBy.contains(Dimension.VERSION) ? Integer.valueOf(rs.getInt("version")) : null,
                groupBy.contains(Dimension.MODEL) ? model(rs.getString("provider"), rs.getString("model")) : null,
                groupBy.contains(Dimension.TOOL) ? rs.getString("tool") : null);
    }

    private static String model(String provider, String name) {
        return name.isEmpty() ? null : provider.isEmpty() ? name : provider + "/" + name;
    }

    private static String nullIfEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** In the order asked ({@code -field}: highest first), else by group; the first {@code limit}. */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static <T> List<T> sorted(List<T> rows, Query query, Map<String, Function<T, Comparable<?>>> sorts) {
        Comparator<T> order = (Comparator<T>) Comparator.comparing(row -> groupOf(row), GROUP_ORDER);
        if (query.sort() != null) {
            boolean descending = query.sort().startsWith("-");
            Function<T, Comparable> field = (Function) sorts.get(descending ? query.sort().substring(1) : query.sort());
            Comparator<T> by = Comparator.comparing(field);
            order = (descending ? by.reversed() : by).thenComparing(order);
        }
        return rows.stream().sorted(order).limit(query.limit()).toList();
    }

    private static Group groupOf(Object row) {
        return row instanceof UsageRow usage ? usage.group() : ((ToolRow) row).group();
    }

    private static final Comparator<Group> GROUP_ORDER = Comparator
        .comparing(Group::day, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(Group::agent, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(Group::version, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(Group::model, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(Group::tool, Comparator.nullsFirst(Comparator.naturalOrder()));

    private static <T> Map<String, Function<T, Comparable<?>>> sorts(Map<String, Function<T, Comparable<?>>> sorts) {
        return Map.copyOf(sorts);
    }

    private static BigDecimal plain(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
