package io.retinue.runtime.internal.cache;

import java.time.Duration;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Ticker;

import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentId;
import io.retinue.agents.AgentSpec;
import io.retinue.shared.TenantId;

/**
 * The agent catalog as the runtime reads it: the owner's answers (in-process or over HTTP) kept per tenant, agent and
 * version, so that runs of the same agent read its spec once. The agents module's events about an agent end what is
 * kept for it, by id and by slug and for every version: publication and rollback (the live version, and every spec's
 * {@code live} flag), archiving and unarchiving, renaming and deletion. A spec pinned by number is kept longer than a
 * live one, a not-found answer only briefly: a version imported without being made live publishes nothing.
 */
final class CachedAgentCatalog implements AgentCatalog {

    /** An agent by id (in its canonical text form) or slug, as a tenant names it, and a version or the live one. */
    record Key(TenantId tenant, String agent, Integer version) {
    }

    /** What an agent's events invalidate: everything kept under its id or under its slug. */
    record Scope(TenantId tenant, String agent) {
    }

    private final AgentCatalog owner;
    private final CacheProperties properties;
    private final InvalidatedCache<Key, Scope, Optional<AgentSpec>> specs;

    CachedAgentCatalog(AgentCatalog owner, CacheProperties properties, Ticker ticker) {
        this.owner = owner;
        this.properties = properties;
        this.specs = new InvalidatedCache<>(properties.maxEntries(), properties.longestTtl(),
                key -> new Scope(key.tenant(), key.agent()), ticker);
    }

    @Override
    public Optional<AgentSpec> spec(TenantId tenant, String agentIdOrSlug, Integer version) {
        if (tenant == null || agentIdOrSlug == null) {
            return owner.spec(tenant, agentIdOrSlug, version);
        }
        String agent = AgentId.parse(agentIdOrSlug).map(AgentId::toString).orElse(agentIdOrSlug);
        return specs.get(new Key(tenant, agent, version), key -> owner.spec(tenant, agentIdOrSlug, version),
                this::ttl);
    }

    /** Stops serving what was read about the agent (under its id or its slug, any version) before now. */
    void invalidate(TenantId tenant, AgentId agent, String slug) {
        specs.invalidate(new Scope(tenant, agent.toString()));
        specs.invalidate(new Scope(tenant, slug));
    }

    InvalidatedCache<Key, Scope, Optional<AgentSpec>> specs() {
        return specs;
    }

    private Duration ttl(Key key, Optional<AgentSpec> spec) {
        return spec.isEmpty() ? properties.negativeTtl() : key.version() == null ? properties.ttl()
                : properties.pinnedTtl();
    }
}
