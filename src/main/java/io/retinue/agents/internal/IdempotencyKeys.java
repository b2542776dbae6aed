package io.retinue.agents.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;

import io.retinue.agents.AgentId;
import io.retinue.shared.TenantId;
import io.retinue.shared.Timestamps;

/**
 * Remembers, per tenant, which agent a create with a given {@code Idempotency-Key} produced and a digest of the
 * request it came with, for {@code retinue.agents.idempotency-ttl} (24 hours by default).
 */
@Repository
class IdempotencyKeys {

    /** What a key was first used for. */
    record Use(String requestDigest, AgentId agentId) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration ttl;

    IdempotencyKeys(JdbcClient jdbc, Clock clock, @Value("${retinue.agents.idempotency-ttl:24h}") Duration ttl) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.ttl = ttl;
    }

    Optional<Use> find(TenantId tenant, String key) {
        return jdbc.sql("""
                SELECT request_digest, agent_id FROM agents.idempotency_key
                WHERE tenant_id = :tenant AND idem_key = :key AND created_at >= :since""")
            .param("tenant", tenant.value())
            .param("key", key)
            .param("since", Timestamps.of(clock.instant().minus(ttl)))
            .query((rs, n) -> new Use(rs.getString("request_digest"),
                    new AgentId(rs.getObject("agent_id", UUID.class))))
            .optional();
    }

    /** Records a key; a concurrent create with the same key fails here on the primary key and is then replayed. */
    void remember(TenantId tenant, String key, String requestDigest, AgentId agentId, Instant now) {
        jdbc.sql("DELETE FROM agents.idempotency_key WHERE tenant_id = :tenant AND idem_key = :key AND created_at < :since")
            .param("tenant", tenant.value())
            .param("key", key)
            .param("since", Timestamps.of(now.minus(ttl)))
            .update();
        jdbc.sql("""
                INSERT INTO agents.idempotency_key (tenant_id, idem_key, request_digest, agent_id, created_at)
                VALUES (:tenant, :key, :digest, :agent, :createdAt)""")
            .param("tenant", tenant.value())
            .param("key", key)
            .param("digest", requestDigest)
            .param("agent", agentId.value())
            .param("createdAt", Timestamps.of(now))
            .update();
    }

    @Scheduled(fixedDelayString = "${retinue.agents.idempotency-purge-interval:1h}", initialDelayString = "1m")
    void purgeExpired() {
        jdbc.sql("DELETE FROM agents.idempotency_key WHERE created_at < :since")
            .param("since", Timestamps.of(clock.instant().minus(ttl)))
            .update();
    }
}
