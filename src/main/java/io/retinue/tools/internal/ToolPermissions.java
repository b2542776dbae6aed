package io.retinue.tools.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.slf4j.MDC;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;

import io.retinue.shared.Caller;
import io.retinue.shared.Page;
import io.retinue.shared.Role;
import io.retinue.shared.KeysetCursor;
import io.retinue.shared.TenantId;
import io.retinue.shared.JsonSchemas;
import io.retinue.shared.Timestamps;
import io.retinue.shared.web.RequestIds;
import io.retinue.tools.ToolGrantChanged;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's ToolPermissionChecker. Default deny: a call is allowed only when a grant gives the tool (by exact name,
 * {@code namespace.*}, {@code tag:<tag>} or {@code *}) to the calling agent ({@code agent:<id or slug>}), a role the
 * caller holds ({@code role:<role>}), a scope it holds ({@code scope:<scope>}) or anyone ({@code *}). The strictest
 * applicable grant wins: deny, then require_approval, then allow. An allow whose argument schema the arguments do not
 * satisfy does not apply. Every decision is recorded.
 */
@Service
public class ToolPermissions {

    /** How a grant answers. */
    public enum Effect {
        ALLOW, REQUIRE_APPROVAL, DENY;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Effect fromWire(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** A stored grant. */
    @io.swagger.v3.oas.annotations.media.Schema(description = "A grant: the subject, the tools it covers, its "
            + "effect and the schema arguments must satisfy")
    public record Grant(UUID id, String subject, String tools, Effect effect, JsonNode argumentSchema,
            String createdBy, Instant createdAt) {
    }

    /** A decision and why. */
    @io.swagger.v3.oas.annotations.media.Schema(description = "A permission decision (allow, require approval or "
            + "deny) and why")
    public record Decision(Effect effect, String reason) {
    }

    /** A recorded decision. */
    @io.swagger.v3.oas.annotations.media.Schema(description = "A permission decision as recorded: when, for whom, "
            + "on which tool, and why")
    public record Recorded(UUID id, Instant decidedAt, String caller, String agent, String tool, String effect,
            String reason, String requestId) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final SchemaRegistry schemas = JsonSchemas.registry();

    ToolPermissions(JdbcClient jdbc, JsonMapper json, Clock clock, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.events = events;
    }

    @Transactional
    public Grant grant(Caller caller, String subject, String tools, Effect effect, JsonNode argumentSchema) {
        Grant grant = new Grant(UUID.randomUUID(), subject, tools, effect, argumentSchema, caller.principalId(),
                clock.instant().truncatedTo(ChronoUnit.MICROS));
        jdbc.sql("""
                INSERT INTO tools.tool_grant (id, tenant_id, subject, tools, effect, argument_schema, created_by,
                    created_at)
                VALUES (:id, :tenant, :subject, :tools, :effect, :schema, :by, :at)""")
            .param("id", grant.id())
            .param("tenant", caller.tenant().value())
            .param("subject", subject)
            .param("tools", tools)
            .param("effect", effect.wire())
            .param("schema", argumentSchema == null ? null : json.writeValueAsString(argumentSchema))
            .param("by", grant.createdBy())
            .param("at", Timestamps.of(grant.createdAt()))
            .update();
        events.publishEvent(new ToolGrantChanged(caller.tenant(), grant.id(), ToolGrantChanged.Change.GRANTED,
                grant.createdAt()));
        return grant;
    }

    public List<Grant> grants(TenantId tenant) {
        return jdbc.sql("""
                SELECT id, subject, tools, effect, argument_schema, created_by, created_at FROM tools.tool_grant
                WHERE tenant_id = :tenant ORDER BY created_at, id""")
            .param("tenant", tenant.value())
            .query((rs, n) -> new Grant(rs.getObject("id", UUID.class), rs.getString("subject"), rs.getString("tools"),
                    Effect.fromWire(rs.getString("effect")),
                    rs.getString("argument_schema") == null ? null : json.readTree(rs.getString("argument_schema")),
                    rs.getString("created_by"), Timestamps.read(rs, "created_at")))
            .list();
    }

    @Transactional
    public boolean revoke(TenantId tenant, UUID id) {
        boolean revoked = jdbc.sql("DELETE FROM tools.tool_grant WHERE tenant_id = :tenant AND id = :id")
            .param("tenant", tenant.value())
            .param("id", id)
            .update() == 1;
        if (revoked) {
            events.publishEvent(new ToolGrantChanged(tenant, id, ToolGrantChanged.Change.REVOKED,
                    clock.instant().truncatedTo(ChronoUnit.MICROS)));
        }
        return revoked;
    }

    /** Decides without recording (the check endpoint). */
    public Decision evaluate(Caller caller, String agent, Tool tool, JsonNode arguments) {
        return evaluate(grants(caller.tenant()), caller, agent, tool, arguments);
    }

    /** Decides against grants already loaded, so that listing many tools reads the grants once. */
    Decision evaluate(List<Grant> grants, Caller caller, String agent, Tool tool, JsonNode arguments) {
        Effect strictest = null;
        List<String> reasons = new ArrayList<>();
        boolean constrainedOut = false;
        for (Grant grant : grants) {
            if (!coversTool(grant.tools(), tool) || !coversSubject(grant.subject(), caller, agent)) {
                continue;
            }
            if (grant.effect() != Effect.DENY && grant.argumentSchema() != null && arguments != null
                    && !satisfies(grant.argumentSchema(), arguments)) {
                constrainedOut = true;
                continue;
            }
            if (strictest == null || grant.effect().ordinal() > strictest.ordinal()) {
                strictest = grant.effect();
                reasons.clear();
            }
            if (grant.effect() == strictest) {
                reasons.add("grant " + grant.id() + " (" + grant.subject() + " → " + grant.tools() + ")");
            }
        }
        if (strictest == null) {
            return new Decision(Effect.DENY, constrainedOut ? "the arguments fall outside every applicable grant's constraints"
                    : "no grant gives " + tool.name() + " to this caller (default deny)");
        }
        return new Decision(strictest, strictest.wire() + " by " + String.join(", ", reasons));
    }

    /** Decides and records the decision. */
    Decision decide(Caller caller, String agent, Tool tool, JsonNode arguments) {
        Decision decision = evaluate(caller, agent, tool, arguments);
        jdbc.sql("""
                INSERT INTO tools.permission_decision (id, tenant_id, decided_at, caller, agent, tool, effect, reason,
                    request_id)
                VALUES (:id, :tenant, :at, :caller, :agent, :tool, :effect, :reason, :requestId)""")
            .param("id", UUID.randomUUID())
            .param("tenant", caller.tenant().value())
            .param("at", Timestamps.of(clock.instant().truncatedTo(ChronoUnit.MICROS)))
            .param("caller", caller.principalId())
            .param("agent", agent)
            .param("tool", tool.name())
            .param("effect", decision.effect().wire())
            .param("reason", decision.reason().length() > 1000 ? decision.reason().substring(0, 1000) : decision.reason())
            .param("requestId", MDC.get(RequestIds.MDC_KEY))
            .update();
        return decision;
    }

    public Page<Recorded> decisions(TenantId tenant, String tool, String effect, int limit, String cursor) {
        String filters = tool + "|" + effect;
        KeysetCursor after = KeysetCursor.read(cursor, filters);
        StringBuilder where = new StringBuilder("tenant_id = :tenant");
        Map<String, Object> params = new java.util.HashMap<>(Map.of("tenant", tenant.value(), "limit", limit + 1));
        if (after != null) {
            where.append(" AND ").append(KeysetCursor.condition("decided_at"));
            params.put("cursorAt", Timestamps.of(after.at()));
            params.put("cursorId", after.id());
        }
        if (tool != null) {
            where.append(" AND tool = :tool");
            params.put("tool", tool);
        }
        if (effect != null) {
            where.append(" AND effect = :effect");
            params.put("effect", effect);
        }
        List<Recorded> rows = jdbc.sql("SELECT id, decided_at, caller, agent, tool, effect, reason, request_id"
                + " FROM tools.permission_decision WHERE " + where
                + " ORDER BY decided_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .params(params)
            .query((rs, n) -> new Recorded(rs.getObject("id", UUID.class), Timestamps.read(rs, "decided_at"),
                    rs.getString("caller"), rs.getString("agent"), rs.getString("tool"), rs.getString("effect"),
                    rs.getString("reason"), rs.getString("request_id")))
            .list();
        return KeysetCursor.page(rows, limit, Recorded::decidedAt, Recorded::id, filters);
    }

    static boolean coversTool(String selector, Tool tool) {
        if (selector.equals("*") || selector.equals(tool.name())) {
            return true;
        }
        if (selector.startsWith("tag:")) {
            return tool.tags().contains(selector.substring(4));
        }
        return selector.endsWith(".*") && tool.namespace().equals(selector.substring(0, selector.length() - 2));
    }

    static boolean coversSubject(String subject, Caller caller, String agent) {
        if (subject.equals("*")) {
            return true;
        }
        if (subject.startsWith("agent:")) {
            return agent != null && agent.equals(subject.substring(6));
        }
        if (subject.startsWith("scope:")) {
            return caller.scopes().contains(subject.substring(6));
        }
        if (subject.startsWith("role:")) {
            try {
                return caller.scopes().containsAll(Role.valueOf(subject.substring(5).toUpperCase(Locale.ROOT)).scopes());
            }
            catch (IllegalArgumentException unknownRole) {
                return false;
            }
        }
        return false;
    }

    private boolean satisfies(JsonNode schema, JsonNode arguments) {
        Schema compiled = schemas.getSchema(schema);
        return compiled.validate(arguments).isEmpty();
    }
}
