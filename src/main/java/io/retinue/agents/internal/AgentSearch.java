package io.retinue.agents.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

import io.retinue.shared.DomainProblem;
import io.retinue.shared.Timestamps;

/**
 * A query over a tenant's agents: filters, a sort order and a keyset cursor. The cursor names the last row seen
 * (its sort value and id), so pages stay stable while agents are added; it is bound to the filters and order it was
 * issued for and refused with any others.
 */
public record AgentSearch(AgentAccess access, String text, SortedMap<String, String> labels, AgentStatus status,
        String provider, String model, Instant createdAfter, Instant createdBefore, Instant updatedAfter,
        Instant updatedBefore, Sort sort, boolean descending, int limit, String cursor) {

    public static final int MAX_LIMIT = 200;

    /** The orders agents can be listed in; each is completed by the id so that it is total. */
    public enum Sort {
        CREATED_AT("createdAt", "created_at"), UPDATED_AT("updatedAt", "updated_at"), NAME("name", "name"),
        SLUG("slug", "slug");

        private final String wire;
        private final String column;

        Sort(String wire, String column) {
            this.wire = wire;
            this.column = column;
        }

        public String wire() {
            return wire;
        }

        public static Sort fromWire(String text) {
            for (Sort sort : values()) {
                if (sort.wire.equals(text)) {
                    return sort;
                }
            }
            throw DomainProblem.invalidParameter("sort", "sort must be one of createdAt, updatedAt, name, slug");
        }

        boolean isTime() {
            return this == CREATED_AT || this == UPDATED_AT;
        }
    }

    public AgentSearch {
        labels = labels == null ? new TreeMap<>() : new TreeMap<>(labels);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw DomainProblem.invalidParameter("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
    }

    /** The SQL of this search: a WHERE clause, ORDER BY and the named parameters they use. */
    record Sql(String where, String orderBy, Map<String, Object> params) {
    }

    Sql toSql() {
        List<String> conditions = new ArrayList<>();
        Map<String, Object> params = new LinkedHashMap<>();
        conditions.add("a.tenant_id = :tenant");
        params.put("tenant", access.tenant().value());
        if (access.isRestricted()) {
            conditions.add("(CAST(a.id AS VARCHAR(36)) IN (:restrictedTo) OR a.slug IN (:restrictedTo))");
            params.put("restrictedTo", List.copyOf(access.agents()));
        }
        if (text != null && !text.isBlank()) {
            conditions.add("(LOWER(a.name) LIKE :text ESCAPE '\\' OR LOWER(a.slug) LIKE :text ESCAPE '\\'"
                    + " OR LOWER(a.description) LIKE :text ESCAPE '\\')");
            params.put("text", "%" + escapeLike(text.trim().toLowerCase(Locale.ROOT)) + "%");
        }
        int i = 0;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String key = "labelKey" + i;
            String value = "labelValue" + i;
            params.put(key, label.getKey());
            if (label.getValue() == null) {
                conditions.add("EXISTS (SELECT 1 FROM agents.agent_label l WHERE l.agent_id = a.id AND l.label_key = :"
                        + key + ")");
            }
            else {
                conditions.add("EXISTS (SELECT 1 FROM agents.agent_label l WHERE l.agent_id = a.id AND l.label_key = :"
                        + key + " AND l.label_value = :" + value + ")");
                params.put(value, label.getValue());
            }
            i++;
        }
        condition(conditions, params, status == null ? null : status.wire(), "a.status = :status", "status");
        condition(conditions, params, provider, "a.model_provider = :provider", "provider");
        condition(conditions, params, model, "a.model_name = :model", "model");
        condition(conditions, params, Timestamps.of(createdAfter), "a.created_at >= :createdAfter",
                "createdAfter");
        condition(conditions, params, Timestamps.of(createdBefore), "a.created_at < :createdBefore",
                "createdBefore");
        condition(conditions, params, Timestamps.of(updatedAfter), "a.updated_at >= :updatedAfter",
                "updatedAfter");
        condition(conditions, params, Timestamps.of(updatedBefore), "a.updated_at < :updatedBefore",
                "updatedBefore");
        if (cursor != null) {
            TypedPosition after = Position.decode(cursor, this);
            String op = descending ? "<" : ">";
            conditions.add("(a." + sort.column + " " + op + " :afterValue OR (a." + sort.column
                    + " = :afterValue AND a.id " + op + " :afterId))");
            params.put("afterValue", after.sortValue());
            params.put("afterId", after.id());
        }
        String direction = descending ? " DESC" : " ASC";
        return new Sql(String.join(" AND ", conditions), "a." + sort.column + direction + ", a.id" + direction, params);
    }

    /** The cursor that continues after the given agent, the last of a page. */
    String cursorAfter(Agent last) {
        String value = switch (sort) {
            case CREATED_AT -> last.createdAt().toString();
            case UPDATED_AT -> last.updatedAt().toString();
            case NAME -> last.name();
            case SLUG -> last.slug();
        };
        return new Position(value, last.id().value()).encode(this);
    }

    /** What a cursor is bound to: every filter and the order, but not the page size. */
    private String fingerprint() {
        return Integer.toHexString(Objects.hash(access, text, labels, status, provider, model, createdAfter,
                createdBefore, updatedAfter, updatedBefore, sort, descending));
    }

    private static void condition(List<String> conditions, Map<String, Object> params, Object value, String sql,
            String name) {
        if (value != null) {
            conditions.add(sql);
            params.put(name, value);
        }
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private record Position(String value, UUID id) {

        Object typedValue(AgentSearch search) {
            return search.sort.isTime() ? Timestamps.of(Instant.parse(value)) : value;
        }

        String encode(AgentSearch search) {
            String raw = String.join("\n", "v1", search.fingerprint(), value, id.toString());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static TypedPosition decode(String cursor, AgentSearch search) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                String[] parts = raw.split("\n", -1);
                if (parts.length != 4 || !parts[0].equals("v1")) {
                    throw invalid("the cursor is not one this API issued");
                }
                if (!parts[1].equals(search.fingerprint())) {
                    throw invalid("the cursor was issued for other filters or another order; repeat them unchanged");
                }
                Position position = new Position(parts[2], UUID.fromString(parts[3]));
                return new TypedPosition(position.typedValue(search), position.id());
            }
            catch (IllegalArgumentException | DateTimeParseException ex) {
                throw invalid("the cursor is not one this API issued");
            }
        }

        private static DomainProblem invalid(String detail) {
            return new DomainProblem(AgentProblems.INVALID_CURSOR, detail,
                    List.of(new io.retinue.shared.Violation("cursor", detail)), Map.of());
        }
    }

    private record TypedPosition(Object sortValue, UUID id) {
    }
}
