package io.retinue.gateway.internal;

import java.time.Instant;
import java.util.Set;

import io.retinue.shared.Caller;
import io.retinue.shared.Scopes;
import io.retinue.shared.TenantId;

/**
 * A stored API key: its public id, owner tenant, scopes, optional agent restriction and expiry, and the digest of its
 * secret (never the secret). A key works until it is revoked or expires; rotation shortens the old key's life to the
 * overlap window and names its successor.
 */
record ApiKey(String id, TenantId tenant, String name, String secretDigest, Set<String> scopes, Set<String> agents,
        String createdBy, Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant revokedAt,
        String replacedBy) {

    ApiKey {
        scopes = Set.copyOf(scopes);
        agents = agents == null ? Set.of() : Set.copyOf(agents);
    }

    boolean worksAt(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** Whether the last-used time is older than the given resolution, so it is worth writing again. */
    boolean lastUseOlderThan(Instant threshold) {
        return lastUsedAt == null || lastUsedAt.isBefore(threshold);
    }

    Caller asCaller() {
        return new Caller(tenant, "key:" + id, Scopes.effective(scopes), agents);
    }
}
