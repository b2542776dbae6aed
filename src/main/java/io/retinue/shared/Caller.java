package io.retinue.shared;

import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Who is calling: the authenticated principal as every module's web layer sees it. Carries ids and scopes only,
 * never a credential, so it can be logged and passed across a module (or service) boundary.
 */
public record Caller(TenantId tenant, String principalId, Set<String> scopes, Set<String> agents) {

    /**
     * {@code scopes} are the effective ones ({@code admin} already expanded); {@code agents}, when not empty, are the
     * only agents (ids or slugs) the caller may touch.
     */
    public Caller {
        if (tenant == null || principalId == null || principalId.isBlank()) {
            throw new IllegalArgumentException("a caller needs a tenant and a principal id");
        }
        scopes = Set.copyOf(scopes);
        agents = agents == null ? Set.of() : Set.copyOf(agents);
    }

    public Caller(TenantId tenant, String principalId, Set<String> scopes) {
        this(tenant, principalId, scopes, Set.of());
    }

    @JsonIgnore // derived, not part of the record's wire form
    public boolean isRestrictedToAgents() {
        return !agents.isEmpty();
    }
}
