package io.retinue.shared;

import java.util.Locale;
import java.util.Set;

/**
 * A member's role in a tenant and the scopes it grants: the permission matrix docs/security.md documents. Owners and admins
 * differ in what only owners may do to the tenant itself (added with tenant management). Part of the shared kernel,
 * like {@link Scopes}, because the tools module's grants name roles too: the gateway hands roles out, it does not
 * own the vocabulary.
 */
public enum Role {

    OWNER(Set.of(Scopes.ADMIN)),
    ADMIN(Set.of(Scopes.ADMIN)),
    DEVELOPER(Set.of(Scopes.AGENTS_READ, Scopes.AGENTS_WRITE, Scopes.RUNS_READ, Scopes.RUNS_EXECUTE, Scopes.TOOLS_READ)),
    OPERATOR(Set.of(Scopes.AGENTS_READ, Scopes.RUNS_READ, Scopes.RUNS_EXECUTE, Scopes.TOOLS_READ, Scopes.AUDIT_READ)),
    VIEWER(Set.of(Scopes.AGENTS_READ, Scopes.RUNS_READ, Scopes.TOOLS_READ));

    private final Set<String> scopes;

    Role(Set<String> scopes) {
        this.scopes = scopes;
    }

    public Set<String> scopes() {
        return Scopes.effective(scopes);
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
