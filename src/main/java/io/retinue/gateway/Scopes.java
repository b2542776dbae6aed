package io.retinue.gateway;

import java.util.Set;

/** The scopes an API key can hold; {@code admin} implies all of them. */
public final class Scopes {

    public static final String ADMIN = "admin";
    public static final String AGENTS_READ = "agents:read";
    public static final String AGENTS_WRITE = "agents:write";

    public static final Set<String> ALL = Set.of(ADMIN, AGENTS_READ, AGENTS_WRITE);

    private Scopes() {
    }
}
