package io.retinue.shared;

import java.util.Set;

/**
 * Who is calling: the authenticated principal as every module's web layer sees it. Carries ids and scopes only,
 * never a credential, so it can be logged and passed across a module (or service) boundary.
 */
public record Caller(TenantId tenant, String principalId, Set<String> scopes) {

    /** {@code scopes} are the effective ones: {@code admin} already expanded. */

    public Caller {
        if (tenant == null || principalId == null || principalId.isBlank()) {
            throw new IllegalArgumentException("a caller needs a tenant and a principal id");
        }
        scopes = Set.copyOf(scopes);
    }
}
