package io.retinue.shared;

import java.util.Set;

/**
 * The scopes that authorise API calls. API keys hold scopes directly; users (later) get them through their
 * {@link Role}. {@code admin} stands for every tenant scope; {@code platform:admin} (creating tenants) is held only by
 * the installation's bootstrap key and is never implied by {@code admin}. Part of the shared kernel, next to
 * {@link Caller} that carries them, because the tools and runtime modules check scopes too (a run's message intake, a
 * schedule's principal) and should not need the gateway's code for it.
 */
public final class Scopes {

    public static final String ADMIN = "admin";
    public static final String PLATFORM_ADMIN = "platform:admin";
    public static final String AGENTS_READ = "agents:read";
    public static final String AGENTS_WRITE = "agents:write";
    public static final String RUNS_READ = "runs:read";
    public static final String RUNS_EXECUTE = "runs:execute";
    public static final String TOOLS_READ = "tools:read";
    public static final String TOOLS_ADMIN = "tools:admin";
    public static final String KEYS_MANAGE = "keys:manage";
    public static final String AUDIT_READ = "audit:read";
    public static final String USERS_MANAGE = "users:manage";
    /** Define the tenant's own model provider connections (reading them needs only agents:read). */
    public static final String MODELS_ADMIN = "models:admin";

    /** Every scope that exists inside a tenant; {@code admin} expands to these. */
    public static final Set<String> TENANT = Set.of(AGENTS_READ, AGENTS_WRITE, RUNS_READ, RUNS_EXECUTE, TOOLS_READ,
            TOOLS_ADMIN, KEYS_MANAGE, AUDIT_READ, USERS_MANAGE, MODELS_ADMIN);

    /** Every scope a key may be given. */
    public static final Set<String> GRANTABLE = union(TENANT, Set.of(ADMIN));

    private Scopes() {
    }

    /** The scopes a holder of {@code held} effectively has. */
    public static Set<String> effective(Set<String> held) {
        if (!held.contains(ADMIN)) {
            return Set.copyOf(held);
        }
        return held.contains(PLATFORM_ADMIN) ? union(GRANTABLE, Set.of(PLATFORM_ADMIN)) : GRANTABLE;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        var all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
