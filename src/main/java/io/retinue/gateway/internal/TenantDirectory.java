package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
import io.retinue.shared.TenantRows;
import io.retinue.shared.Timestamps;
import io.swagger.v3.oas.annotations.media.Schema;

/** The installation's tenants. Creating one hands out its first (owner) API key, shown once. */
@Service
public class TenantDirectory {

    static final ProblemType TENANT_EXISTS = ProblemType.of("gateway/tenant-exists", HttpStatus.CONFLICT,
            "Tenant already exists");

    /** A new tenant and its owner key. */
    @Schema(description = "A new tenant and its owner key")
    public record CreatedTenant(String id, String name, KeyRing.IssuedKey ownerKey) {
    }

    /** How long a tenant's standing is kept: a removal on another gateway process refuses its callers within it. */
    static final Duration FRESHNESS = Duration.ofSeconds(5);

    /** What the gateway keeps of a tenant besides the tenant itself; refresh tokens go with their users. */
    private static final TenantRows TENANT_ROWS = new TenantRows("gateway",
            List.of("api_key", "user_account", "rate_limit_override", "audit_event"));

    private final JdbcClient jdbc;
    private final KeyRing keyRing;
    private final AuditLog audit;
    private final Clock clock;
    private final Cache<TenantId, Boolean> active = Caffeine.newBuilder()
        .expireAfterWrite(FRESHNESS)
        .maximumSize(100_000)
        .build();

    TenantDirectory(JdbcClient jdbc, KeyRing keyRing, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.keyRing = keyRing;
        this.audit = audit;
        this.clock = clock;
    }

    /** Whether the tenant exists, in any standing (one being removed still holds its id). */
    public boolean exists(TenantId id) {
        return find(id).isPresent();
    }

    /**
     * Whether the tenant's callers may act: it exists and is not being removed. Asked for every request, so the
     * answer is kept for {@link #FRESHNESS} (a removal started here takes effect at once).
     */
    public boolean isActive(TenantId id) {
        // An unknown tenant is not kept: one created on another process works here at once.
        return Boolean.TRUE.equals(active.get(id, unknown -> find(unknown)
            .map(tenant -> tenant.status().equals(ACTIVE))
            .orElse(null)));
    }

    static final String ACTIVE = "active";
    static final String SUSPENDING = "suspending";
    static final String REMOVING = "removing";

    /** A tenant as the installation's admin sees it. */
    @Schema(description = "A tenant of the installation")
    public record Tenant(@Schema(example = "acme") String id, @Schema(example = "ACME Corp") String name,
            java.time.Instant createdAt,
            @Schema(description = "active; suspending while its removal asks the services to stop its work (undone "
                    + "if one cannot); removing while they erase it",
                    allowableValues = { ACTIVE, SUSPENDING, REMOVING }) String status,
            @Schema(description = "When its removal was asked for; null while active")
            java.time.Instant removalStartedAt,
            @Schema(description = "The services yet to erase what they keep of it, while removing")
            List<String> removalPending) {
    }

    public Optional<Tenant> find(TenantId id) {
        return jdbc.sql("SELECT id, name, created_at, status, removal_started_at, removal_pending FROM gateway.tenant "
                + "WHERE id = :id")
            .param("id", id.value())
            .query((rs, row) -> new Tenant(rs.getString("id"), rs.getString("name"),
                    Timestamps.read(rs, "created_at"), rs.getString("status"),
                    Timestamps.read(rs, "removal_started_at"), modules(rs.getString("removal_pending"))))
            .optional();
    }

    /** Tenants in {@code status}, their removal started before {@code before}. */
    List<TenantId> inStatus(String status, Instant before) {
        return jdbc.sql("SELECT id FROM gateway.tenant WHERE status = :status AND removal_started_at < :before")
            .param("status", status)
            .param("before", Timestamps.of(before))
            .query((rs, row) -> new TenantId(rs.getString("id")))
            .list();
    }

    /** Moves a tenant from one standing to another; false when it was not in {@code from}. */
    boolean move(TenantId id, String from, String to, List<String> pending) {
        boolean moved = jdbc.sql("UPDATE gateway.tenant SET status = :to, removal_pending = :pending, "
                + "removal_started_at = " + (to.equals(ACTIVE) ? "NULL" : "COALESCE(removal_started_at, :now)")
                + " WHERE id = :id AND status = :from")
            .param("to", to)
            .param("pending", pending.isEmpty() ? null : String.join(",", pending))
            .param("now", Timestamps.of(clock.instant().truncatedTo(ChronoUnit.MICROS)))
            .param("id", id.value())
            .param("from", from)
            .update() == 1;
        active.invalidate(id);
        return moved;
    }

    /**
     * The tenant's own rows here — the tenant, its keys, users (and their tokens), limits and audit entries — if it
     * is being removed; false when another pass has erased it already.
     */
    boolean erase(TenantId id) {
        boolean erased = jdbc.sql("DELETE FROM gateway.tenant WHERE id = :id AND status = :removing")
            .param("id", id.value())
            .param("removing", REMOVING)
            .update() == 1;
        if (erased) {
            TENANT_ROWS.erase(jdbc, id);
        }
        active.invalidate(id);
        return erased;
    }

    private static List<String> modules(String pending) {
        return pending == null || pending.isBlank() ? List.of() : List.of(pending.split(","));
    }

    @Transactional
    public CreatedTenant create(Caller caller, TenantId id, String name) {
        if (exists(id)) {
            throw new DomainProblem(TENANT_EXISTS, "Tenant '" + id + "' already exists");
        }
        jdbc.sql("INSERT INTO gateway.tenant (id, name, created_at, status) VALUES (:id, :name, :at, 'active')")
            .param("id", id.value())
            .param("name", name)
            .param("at", clock.instant().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC))
            .update();
        active.invalidate(id);
        audit.success(id, caller.principalId(), "tenant.created", "tenant:" + id, "by tenant " + caller.tenant());
        return new CreatedTenant(id.value(), name, keyRing.issueOwnerKey(id, caller.principalId()));
    }
}
