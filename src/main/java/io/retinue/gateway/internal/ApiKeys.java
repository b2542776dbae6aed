package io.retinue.gateway.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;

/**
 * The gateway's table of API keys ({@code gateway.api_key}). Keys are looked up on every request, so a found key is
 * kept for {@link #FRESHNESS}: a change made on this instance (revoke, rotate, use noted) takes effect at once, one
 * made on another instance within that time. Unknown ids are not kept, so a new key works at once everywhere.
 */
@Repository
class ApiKeys {

    static final Duration FRESHNESS = Duration.ofSeconds(5);

    private static final String COLUMNS = """
            id, tenant_id, name, secret_digest, scopes, agents, created_by, created_at, expires_at, last_used_at,
            revoked_at, replaced_by""";

    private final JdbcClient jdbc;
    private final Cache<String, ApiKey> recent = Caffeine.newBuilder()
        .expireAfterWrite(FRESHNESS)
        .maximumSize(10_000)
        .build();

    ApiKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<ApiKey> find(String id) {
        return Optional.ofNullable(recent.get(id, unknown -> load(unknown).orElse(null)));
    }

    private Optional<ApiKey> load(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM gateway.api_key WHERE id = :id")
            .param("id", id)
            .query(ApiKeys::key)
            .optional();
    }

    Optional<ApiKey> find(TenantId tenant, String id) {
        return find(id).filter(key -> key.tenant().equals(tenant));
    }

    boolean isEmpty() {
        return jdbc.sql("SELECT COUNT(*) FROM gateway.api_key").query(Long.class).single() == 0;
    }

    void add(ApiKeySecret secret, ApiKey key) {
        jdbc.sql("""
                INSERT INTO gateway.api_key (id, tenant_id, name, secret_digest, scopes, agents, created_by,
                    created_at, expires_at)
                VALUES (:id, :tenant, :name, :digest, :scopes, :agents, :createdBy, :createdAt, :expiresAt)""")
            .param("id", secret.keyId())
            .param("tenant", key.tenant().value())
            .param("name", key.name())
            .param("digest", secret.digest())
            .param("scopes", String.join(" ", new TreeSet<>(key.scopes())))
            .param("agents", key.agents().isEmpty() ? null : String.join(" ", new TreeSet<>(key.agents())))
            .param("createdBy", key.createdBy())
            .param("createdAt", Timestamps.of(key.createdAt()))
            .param("expiresAt", Timestamps.of(key.expiresAt()))
            .update();
    }

    /** A page of a tenant's keys, newest first, after the given key id's position (null for the first page). */
    List<ApiKey> list(TenantId tenant, ApiKey after, int limit) {
        String keyset = after == null ? ""
                : " AND (created_at < :afterTime OR (created_at = :afterTime AND id < :afterId))";
        var statement = jdbc.sql("SELECT " + COLUMNS + " FROM gateway.api_key WHERE tenant_id = :tenant" + keyset
                + " ORDER BY created_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
            .param("tenant", tenant.value())
            .param("limit", limit);
        if (after != null) {
            statement = statement.param("afterTime", Timestamps.of(after.createdAt())).param("afterId", after.id());
        }
        return statement.query(ApiKeys::key).list();
    }

    boolean revoke(ApiKey key, Instant now) {
        forget(key.id());
        return jdbc.sql("UPDATE gateway.api_key SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
            .param("now", Timestamps.of(now))
            .param("id", key.id())
            .update() == 1;
    }

    /** Ends an old key's life at {@code until} (or keeps an earlier expiry) and records its successor. */
    void retire(ApiKey key, Instant until, String successor) {
        Instant end = key.expiresAt() != null && key.expiresAt().isBefore(until) ? key.expiresAt() : until;
        jdbc.sql("UPDATE gateway.api_key SET expires_at = :until, replaced_by = :successor WHERE id = :id")
            .param("until", Timestamps.of(end))
            .param("successor", successor)
            .param("id", key.id())
            .update();
        forget(key.id());
    }

    void touch(ApiKey key, Instant now) {
        jdbc.sql("UPDATE gateway.api_key SET last_used_at = :now WHERE id = :id")
            .param("now", Timestamps.of(now))
            .param("id", key.id())
            .update();
        forget(key.id());
    }



    /**
     * Drops a changed key from the recent ones now and, in a transaction, once it ends: a read in between would
     * otherwise keep the row as it was before the change.
     */
    private void forget(String id) {
        recent.invalidate(id);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    recent.invalidate(id);
                }
            });
        }
    }

    private static Set<String> words(String stored) {
        return stored == null || stored.isBlank() ? Set.of() : Set.copyOf(Arrays.asList(stored.trim().split("\\s+")));
    }

    private static ApiKey key(ResultSet rs, int row) throws SQLException {
        return new ApiKey(rs.getString("id"), new TenantId(rs.getString("tenant_id")), rs.getString("name"),
                rs.getString("secret_digest"), words(rs.getString("scopes")), words(rs.getString("agents")),
                rs.getString("created_by"), Timestamps.read(rs, "created_at"), Timestamps.read(rs, "expires_at"),
                Timestamps.read(rs, "last_used_at"), Timestamps.read(rs, "revoked_at"), rs.getString("replaced_by"));
    }
}
