package io.retinue.gateway.internal;

import java.time.Instant;
import java.util.Set;

import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;

/** A stored API key: its public id, owner tenant, scopes and the digest of its secret (never the secret). */
record ApiKey(String id, TenantId tenant, String name, String secretDigest, Set<String> scopes, Instant createdAt,
        Instant revokedAt) {

    boolean isActive() {
        return revokedAt == null;
    }

    Caller asCaller() {
        return new Caller(tenant, "key:" + id, scopes);
    }
}
