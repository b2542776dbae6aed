package io.retinue.runtime.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;

/**
 * A query over a tenant's runs, newest first: by agent, session, status and start time, a page at a time. The cursor
 * names the last run seen (its start and id) and the filters it was issued for, so a page stays stable while runs are
 * added and a cursor cannot be replayed with other filters.
 */
public record RunQuery(TenantId tenant, String agent, UUID session, String status, Instant since, Instant until,
        int limit, String cursor) {

    public RunQuery {
        limit = Math.max(1, Math.min(200, limit));
    }

    /** The WHERE clause and its parameters, the cursor's position included. */
    String where(Map<String, Object> params) {
        StringBuilder where = new StringBuilder("tenant_id = :tenant");
        params.put("tenant", tenant.value());
        if (agent != null) {
            where.append(" AND agent_slug = :agent");
            params.put("agent", agent);
        }
        if (session != null) {
            where.append(" AND session_id = :session");
            params.put("session", session);
        }
        if (status != null) {
            where.append(" AND status = :status");
            params.put("status", status);
        }
        if (since != null) {
            where.append(" AND started_at >= :since");
            params.put("since", Timestamps.of(since));
        }
        if (until != null) {
            where.append(" AND started_at < :until");
            params.put("until", Timestamps.of(until));
        }
        if (cursor != null) {
            Position after = decode();
            where.append(" AND (started_at < :afterStart OR (started_at = :afterStart AND id < :afterId))");
            params.put("afterStart", Timestamps.of(after.startedAt()));
            params.put("afterId", after.id());
        }
        return where.toString();
    }

    /** The cursor that continues after this run, the last of a page. */
    String cursorAfter(RunLedger.Run last) {
        String position = last.createdAt().toString() + "|" + last.id() + "|" + filters();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    private record Position(Instant startedAt, UUID id) {
    }

    private Position decode() {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 3);
            if (parts.length != 3 || !parts[2].equals(filters())) {
                throw new IllegalArgumentException("issued for other filters");
            }
            return new Position(Instant.parse(parts[0]), UUID.fromString(parts[1]));
        }
        catch (IllegalArgumentException | java.time.format.DateTimeParseException unusable) {
            throw DomainProblem.invalidParameter("cursor", "the cursor was not issued by this list, or for other "
                    + "filters; start again without it");
        }
    }

    /** What a cursor is bound to: every filter, not the page size. */
    private String filters() {
        return Integer.toHexString(Objects.hash(tenant.value(), agent, session, status, since, until));
    }
}
