package io.retinue.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.MDC;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.gateway.AuditTrail;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.TenantId;
import io.retinue.shared.TimeOrderedIds;
import io.retinue.shared.web.RequestIds;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The gateway's audit log: security-relevant facts (keys issued, rotated, revoked; tenants created; requests denied)
 * with who, what, outcome and the request id. Entries hold ids and names, never a secret.
 */
@Repository
public class AuditLog implements AuditTrail {

    /** One audited fact. */
    @Schema(description = "One audited fact: who did what to which target, with what outcome")
    public record Entry(UUID id, TenantId tenant, Instant occurredAt, String actor, String action, String target,
            String outcome, String detail, String requestId) {
    }

    /** Filters of an audit query; null fields do not filter. */
    public record Query(TenantId tenant, String action, String actor, String outcome, Instant after, Instant before,
            int limit, String cursor) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final TransactionTemplate independent;

    AuditLog(JdbcClient jdbc, Clock clock, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.independent = new TransactionTemplate(transactions);
        this.independent.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    void success(TenantId tenant, String actor, String action, String target, String detail) {
        record(tenant, actor, action, target, "success", detail);
    }

    /** Records a refusal in a transaction of its own, so it stays recorded when the refused work rolls back. */
    @Override
    public void denied(TenantId tenant, String actor, String action, String target, String detail) {
        independent.executeWithoutResult(status -> record(tenant, actor, action, target, "denied", detail));
    }

    /** Records a change another module made, in the transaction it was made in when there is one. */
    @Override
    public void changed(TenantId tenant, String actor, String action, String target, String detail) {
        success(tenant, actor, action, target, detail);
    }

    private void record(TenantId tenant, String actor, String action, String target, String outcome, String detail) {
        jdbc.sql("""
                INSERT INTO gateway.audit_event (id, tenant_id, occurred_at, actor, action, target, outcome, detail,
                    request_id)
                VALUES (:id, :tenant, :at, :actor, :action, :target, :outcome, :detail, :requestId)""")
            .param("id", TimeOrderedIds.next())
            .param("tenant", tenant.value())
            .param("at", clock.instant().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC))
            // Cut to the columns: an audit records what it can, never fails the request it records (a failed login
            // with a 10 KB email was answered 409 by the actor column's refusal).
            .param("actor", bounded(actor, 100))
            .param("action", action)
            .param("target", bounded(target, 200))
            .param("outcome", outcome)
            .param("detail", bounded(detail, 2000))
            .param("requestId", MDC.get(RequestIds.MDC_KEY))
            .update();
    }

    private static String bounded(String text, int length) {
        return text == null || text.length() <= length ? text : text.substring(0, length);
    }

    /** Newest first, keyset-paginated. */
    public Page<Entry> query(Query query) {
        List<String> where = new ArrayList<>(List.of("tenant_id = :tenant"));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tenant", query.tenant().value());
        filter(where, params, "action", query.action());
        filter(where, params, "actor", query.actor());
        filter(where, params, "outcome", query.outcome());
        if (query.after() != null) {
            where.add("occurred_at >= :after");
            params.put("after", query.after().atOffset(ZoneOffset.UTC));
        }
        if (query.before() != null) {
            where.add("occurred_at < :before");
            params.put("before", query.before().atOffset(ZoneOffset.UTC));
        }
        if (query.cursor() != null) {
            String[] position = decode(query.cursor());
            where.add("(occurred_at < :cursorTime OR (occurred_at = :cursorTime AND id < :cursorId))");
            params.put("cursorTime", Instant.parse(position[0]).atOffset(ZoneOffset.UTC));
            params.put("cursorId", UUID.fromString(position[1]));
        }
        List<Entry> rows = jdbc.sql("SELECT id, tenant_id, occurred_at, actor, action, target, outcome, detail,"
                + " request_id FROM gateway.audit_event WHERE " + String.join(" AND ", where)
                + " ORDER BY occurred_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .params(params)
            .param("limit", query.limit() + 1)
            .query(AuditLog::entry)
            .list();
        if (rows.size() <= query.limit()) {
            return new Page<>(rows, null);
        }
        List<Entry> page = rows.subList(0, query.limit());
        Entry last = page.getLast();
        return new Page<>(page, encode(last.occurredAt() + "|" + last.id()));
    }

    private static void filter(List<String> where, Map<String, Object> params, String column, String value) {
        if (value != null) {
            where.add(column + " = :" + column);
            params.put(column, value);
        }
    }

    private static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
            if (parts.length != 2) {
                throw new IllegalArgumentException();
            }
            Instant.parse(parts[0]);
            UUID.fromString(parts[1]);
            return parts;
        }
        catch (RuntimeException ex) {
            throw DomainProblem.invalidParameter("cursor", "the cursor is not one this API issued");
        }
    }

    private static Entry entry(ResultSet rs, int row) throws SQLException {
        return new Entry(rs.getObject("id", UUID.class), new TenantId(rs.getString("tenant_id")),
                rs.getObject("occurred_at", OffsetDateTime.class).toInstant(), rs.getString("actor"),
                rs.getString("action"), rs.getString("target"), rs.getString("outcome"), rs.getString("detail"),
                rs.getString("request_id"));
    }
}
