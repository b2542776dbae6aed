package io.retinue.tools.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.shared.Page;
import io.retinue.shared.TenantId;
import io.retinue.shared.KeysetCursor;
import io.retinue.shared.Timestamps;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Every tool execution: tool, version, caller, agent, status, timing, sizes, error — with arguments and results stored
 * size-limited and with secrets masked. The idempotency key makes a repeated call find its earlier execution.
 */
@Repository
public class ExecutionLedger {

    static final int STORED_TEXT_LIMIT = 16_384;

    /** One execution as recorded. */
    @Schema(description = "One tool call as recorded: the tool version, caller, status, duration, masked "
            + "arguments and result, sizes limited")
    public record Execution(UUID id, String tool, int toolVersion, String caller, String agent, String idempotencyKey,
            String status, Instant startedAt, long durationMs, String arguments, String result, int argumentsBytes,
            int resultBytes, boolean truncated, String error, String approvedBy) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;

    ExecutionLedger(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    Optional<Execution> byIdempotencyKey(TenantId tenant, String key) {
        if (key == null) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT * FROM tools.execution WHERE tenant_id = :tenant AND idempotency_key = :key")
            .param("tenant", tenant.value())
            .param("key", key)
            .query((rs, n) -> execution(rs))
            .optional();
    }

    Execution record(TenantId tenant, Execution execution) {
        jdbc.sql("""
                INSERT INTO tools.execution (id, tenant_id, tool, tool_version, caller, agent, idempotency_key, status,
                    started_at, duration_ms, arguments, result, arguments_bytes, result_bytes, truncated, error, approved_by)
                VALUES (:id, :tenant, :tool, :version, :caller, :agent, :key, :status, :started, :duration, :arguments,
                    :result, :argumentsBytes, :resultBytes, :truncated, :error, :approvedBy)""")
            .param("approvedBy", execution.approvedBy())
            .param("id", execution.id())
            .param("tenant", tenant.value())
            .param("tool", execution.tool())
            .param("version", execution.toolVersion())
            .param("caller", execution.caller())
            .param("agent", execution.agent())
            .param("key", execution.idempotencyKey())
            .param("status", execution.status())
            .param("started", Timestamps.of(execution.startedAt()))
            .param("duration", execution.durationMs())
            .param("arguments", limit(execution.arguments()))
            .param("result", limit(execution.result()))
            .param("argumentsBytes", execution.argumentsBytes())
            .param("resultBytes", execution.resultBytes())
            .param("truncated", execution.truncated())
            .param("error", execution.error() == null ? null : execution.error().substring(0, Math.min(2000, execution.error().length())))
            .update();
        return execution;
    }

    Optional<Execution> find(TenantId tenant, UUID id) {
        return jdbc.sql("SELECT * FROM tools.execution WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .query((rs, n) -> execution(rs))
            .optional();
    }

    public Page<Execution> query(TenantId tenant, String tool, String status, int limit, String cursor) {
        String filters = tool + "|" + status;
        KeysetCursor after = KeysetCursor.read(cursor, filters);
        StringBuilder where = new StringBuilder("tenant_id = :tenant");
        Map<String, Object> params = new HashMap<>(Map.of("tenant", tenant.value(), "limit", limit + 1));
        if (after != null) {
            where.append(" AND ").append(KeysetCursor.condition("started_at"));
            params.put("cursorAt", Timestamps.of(after.at()));
            params.put("cursorId", after.id());
        }
        if (tool != null) {
            where.append(" AND tool = :tool");
            params.put("tool", tool);
        }
        if (status != null) {
            where.append(" AND status = :status");
            params.put("status", status);
        }
        List<Execution> rows = jdbc.sql("SELECT * FROM tools.execution WHERE " + where
                + " ORDER BY started_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .params(params)
            .query((rs, n) -> execution(rs))
            .list();
        return KeysetCursor.page(rows, limit, Execution::startedAt, Execution::id, filters);
    }

    static long millisSince(Instant started, Instant now) {
        return Duration.between(started, now).toMillis();
    }

    private static String limit(String text) {
        return text == null || text.length() <= STORED_TEXT_LIMIT ? text
                : text.substring(0, STORED_TEXT_LIMIT) + "…[truncated]";
    }

    private static Execution execution(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Execution(rs.getObject("id", UUID.class), rs.getString("tool"), rs.getInt("tool_version"),
                rs.getString("caller"), rs.getString("agent"), rs.getString("idempotency_key"), rs.getString("status"),
                Timestamps.read(rs, "started_at"), rs.getLong("duration_ms"), rs.getString("arguments"),
                rs.getString("result"), rs.getInt("arguments_bytes"), rs.getInt("result_bytes"),
                rs.getBoolean("truncated"), rs.getString("error"), rs.getString("approved_by"));
    }
}
