package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.shared.TenantId;

/** The gateway's table of API keys ({@code gateway.api_key}). */
@Repository
class ApiKeys {

    private final JdbcClient jdbc;
    private final Clock clock;

    ApiKeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    Optional<ApiKey> find(String id) {
        return jdbc.sql("""
                SELECT id, tenant_id, name, secret_digest, scopes, created_at, revoked_at
                FROM gateway.api_key WHERE id = :id""")
            .param("id", id)
            .query((rs, n) -> new ApiKey(rs.getString("id"), new TenantId(rs.getString("tenant_id")),
                    rs.getString("name"), rs.getString("secret_digest"), scopes(rs.getString("scopes")),
                    rs.getObject("created_at", java.time.OffsetDateTime.class).toInstant(),
                    Optional.ofNullable(rs.getObject("revoked_at", java.time.OffsetDateTime.class))
                        .map(java.time.OffsetDateTime::toInstant)
                        .orElse(null)))
            .optional();
    }

    boolean isEmpty() {
        return jdbc.sql("SELECT COUNT(*) FROM gateway.api_key").query(Long.class).single() == 0;
    }

    void add(ApiKeySecret secret, TenantId tenant, String name, Set<String> scopes) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        jdbc.sql("""
                INSERT INTO gateway.api_key (id, tenant_id, name, secret_digest, scopes, created_at)
                VALUES (:id, :tenant, :name, :digest, :scopes, :createdAt)""")
            .param("id", secret.keyId())
            .param("tenant", tenant.value())
            .param("name", name)
            .param("digest", secret.digest())
            .param("scopes", String.join(" ", new TreeSet<>(scopes)))
            .param("createdAt", now.atOffset(java.time.ZoneOffset.UTC))
            .update();
    }

    private static Set<String> scopes(String stored) {
        return Set.copyOf(Arrays.asList(stored.trim().split("\\s+")));
    }
}
