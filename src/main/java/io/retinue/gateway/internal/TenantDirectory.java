package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;
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

    private final JdbcClient jdbc;
    private final KeyRing keyRing;
    private final AuditLog audit;
    private final Clock clock;
    private final java.util.Set<TenantId> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

    TenantDirectory(JdbcClient jdbc, KeyRing keyRing, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.keyRing = keyRing;
        this.audit = audit;
        this.clock = clock;
    }

    /** Whether the tenant exists; tenants are never deleted, so a yes is remembered. */
    public boolean exists(TenantId id) {
        if (known.contains(id)) {
            return true;
        }
        boolean exists = jdbc.sql("SELECT COUNT(*) FROM gateway.tenant WHERE id = :id")
            .param("id", id.value())
            .query(Long.class)
            .single() > 0;
        if (exists) {
            known.add(id);
        }
        return exists;
    }

    /** A tenant as the installation's admin sees it. */
    @Schema(description = "A tenant of the installation")
    public record Tenant(@Schema(example = "acme") String id, @Schema(example = "ACME Corp") String name,
            java.time.Instant createdAt) {
    }

    public java.util.Optional<Tenant> find(TenantId id) {
        return jdbc.sql("SELECT id, name, created_at FROM gateway.tenant WHERE id = :id")
            .param("id", id.value())
            .query((rs, row) -> new Tenant(rs.getString("id"), rs.getString("name"),
                    io.retinue.shared.Timestamps.read(rs, "created_at")))
            .optional();
    }

    @Transactional
    public CreatedTenant create(Caller caller, TenantId id, String name) {
        if (exists(id)) {
            throw new DomainProblem(TENANT_EXISTS, "Tenant '" + id + "' already exists");
        }
        jdbc.sql("INSERT INTO gateway.tenant (id, name, created_at) VALUES (:id, :name, :at)")
            .param("id", id.value())
            .param("name", name)
            .param("at", clock.instant().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC))
            .update();
        audit.success(id, caller.principalId(), "tenant.created", "tenant:" + id, "by tenant " + caller.tenant());
        return new CreatedTenant(id.value(), name, keyRing.issueOwnerKey(id, caller.principalId()));
    }
}
