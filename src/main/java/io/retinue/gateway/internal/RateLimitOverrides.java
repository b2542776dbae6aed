package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.retinue.shared.TenantId;

/**
 * Per-tenant overrides of the configured limits ({@code gateway.rate_limit_override}). They are read through a
 * short-lived cache, so a change reaches every instance within {@link #FRESHNESS} without a read per request.
 */
@Repository
class RateLimitOverrides {

    static final Duration FRESHNESS = Duration.ofSeconds(5);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Cache<TenantId, Map<RouteClass, RateLimitProperties.Limit>> cache = Caffeine.newBuilder()
        .expireAfterWrite(FRESHNESS)
        .maximumSize(10_000)
        .build();

    RateLimitOverrides(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    Map<RouteClass, RateLimitProperties.Limit> of(TenantId tenant) {
        return cache.get(tenant, this::load);
    }

    void put(TenantId tenant, RouteClass routeClass, RateLimitProperties.Limit limit) {
        int updated = jdbc.sql("""
                UPDATE gateway.rate_limit_override SET principal_capacity = :principal, tenant_capacity = :tenantCap,
                    period_seconds = :period, updated_at = :at
                WHERE tenant_id = :tenant AND route_class = :class""")
            .params(params(tenant, routeClass, limit))
            .update();
        if (updated == 0) {
            jdbc.sql("""
                    INSERT INTO gateway.rate_limit_override (tenant_id, route_class, principal_capacity,
                        tenant_capacity, period_seconds, updated_at)
                    VALUES (:tenant, :class, :principal, :tenantCap, :period, :at)""")
                .params(params(tenant, routeClass, limit))
                .update();
        }
        cache.invalidate(tenant);
    }

    void remove(TenantId tenant, RouteClass routeClass) {
        jdbc.sql("DELETE FROM gateway.rate_limit_override WHERE tenant_id = :tenant AND route_class = :class")
            .param("tenant", tenant.value())
            .param("class", routeClass.wire())
            .update();
        cache.invalidate(tenant);
    }

    private Map<String, Object> params(TenantId tenant, RouteClass routeClass, RateLimitProperties.Limit limit) {
        return Map.of("tenant", tenant.value(), "class", routeClass.wire(), "principal", limit.principal(),
                "tenantCap", limit.tenant(), "period", limit.period().toSeconds(), "at",
                clock.instant().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
    }

    private Map<RouteClass, RateLimitProperties.Limit> load(TenantId tenant) {
        Map<RouteClass, RateLimitProperties.Limit> limits = new EnumMap<>(RouteClass.class);
        jdbc.sql("""
                SELECT route_class, principal_capacity, tenant_capacity, period_seconds
                FROM gateway.rate_limit_override WHERE tenant_id = :tenant""")
            .param("tenant", tenant.value())
            .query(rs -> {
                RouteClass routeClass = RouteClass.fromWire(rs.getString("route_class"));
                if (routeClass != null) {
                    limits.put(routeClass, new RateLimitProperties.Limit(rs.getLong("principal_capacity"),
                            rs.getLong("tenant_capacity"), Duration.ofSeconds(rs.getLong("period_seconds"))));
                }
            });
        return Map.copyOf(limits);
    }
}
