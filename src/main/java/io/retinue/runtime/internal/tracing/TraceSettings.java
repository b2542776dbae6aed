package io.retinue.runtime.internal.tracing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.retinue.gateway.AuditTrail;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * What a tenant lets its runs' traces hold. By default ids, names, token counts and outcomes only; a tenant that opts
 * in ({@code captureContent}) has its prompts, the models' answers and its tools' arguments and results recorded on
 * the spans too, with secret-looking values masked. Asked only of spans that are recorded (an exporter is configured),
 * and remembered per tenant for {@link #REMEMBERED_FOR}: a change is seen at once by the instance it was made on, and
 * by the others within that time. A change of it is in the tenant's audit log ({@code trace_settings.changed}).
 */
@Component
public class TraceSettings {

    static final Duration REMEMBERED_FOR = Duration.ofSeconds(5);

    private static final String UPDATE = """
            UPDATE runtime.trace_setting SET capture_content = :capture, updated_at = :at, updated_by = :by
            WHERE tenant_id = :tenant""";

    @Schema(name = "TraceSettings", description = "What the tenant's runs' traces hold")
    public record Settings(@Schema(description = "Whether spans hold prompts, answers and tool arguments and results "
            + "(secret-looking values masked); false: ids, names, token counts and outcomes only") boolean captureContent,
            @Schema(description = "When it was last changed; null: never") Instant updatedAt,
            @Schema(description = "Who last changed it; null: never") String updatedBy) {
    }

    @Schema(name = "TraceSettingsRequest", description = "What the tenant's runs' traces are to hold")
    public record SettingsRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) Boolean captureContent) {
    }

    private static final Settings DEFAULTS = new Settings(false, null, null);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final AuditTrail audit;
    private final Cache<TenantId, Boolean> captures = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(REMEMBERED_FOR)
        .build();

    TraceSettings(JdbcClient jdbc, Clock clock, AuditTrail audit) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.audit = audit;
    }

    public Settings of(TenantId tenant) {
        return jdbc.sql("SELECT * FROM runtime.trace_setting WHERE tenant_id = :tenant")
            .param("tenant", tenant.value())
            .query((rs, n) -> new Settings(rs.getBoolean("capture_content"),
                    Timestamps.read(rs, "updated_at"), rs.getString("updated_by")))
            .optional()
            .orElse(DEFAULTS);
    }

    public Settings change(Caller caller, SettingsRequest request) {
        if (request == null || request.captureContent() == null) {
            throw DomainProblem.invalid(List.of(new Violation("/captureContent", "is required: true or false")));
        }
        TenantId tenant = caller.tenant();
        boolean before = of(tenant).captureContent();
        if (write(UPDATE, caller, request) == 0) {
            try {
                write("""
                        INSERT INTO runtime.trace_setting (tenant_id, capture_content, updated_at, updated_by)
                        VALUES (:tenant, :capture, :at, :by)""", caller, request);
            }
            catch (DuplicateKeyException madeMeanwhile) {
                write(UPDATE, caller, request);
            }
        }
        captures.invalidate(tenant);
        if (before != request.captureContent()) {
            audit.changed(tenant, caller.principalId(), "trace_settings.changed", "tenant:" + tenant.value(),
                    "captureContent=" + request.captureContent());
        }
        return of(tenant);
    }

    private int write(String sql, Caller caller, SettingsRequest request) {
        return jdbc.sql(sql)
            .param("tenant", caller.tenant().value())
            .param("capture", request.captureContent())
            .param("at", Timestamps.of(Instant.now(clock)))
            .param("by", caller.principalId())
            .update();
    }

    /** Whether the tenant's spans hold content (read at most once per {@link #REMEMBERED_FOR} per tenant). */
    public boolean capturesContent(TenantId tenant) {
        return captures.get(tenant, known -> of(known).captureContent());
    }
}
