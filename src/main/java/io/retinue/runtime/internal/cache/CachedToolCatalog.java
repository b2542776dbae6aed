package io.retinue.runtime.internal.cache;

import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Ticker;

import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;
import io.retinue.tools.ToolCatalog;
import io.retinue.tools.ToolDescriptor;

/**
 * The tools a caller acting as an agent may be offered, as the runtime reads them: the owner's answer kept per caller
 * (tenant, principal, scopes, agent restrictions) and agent, and ended for the whole tenant by any change to its tools
 * ({@code ToolChanged}) or grants ({@code ToolGrantChanged}). It decides only what a model is offered: every call of
 * a tool is still permitted, or not, by the tools module against the grants as they are then.
 */
final class CachedToolCatalog implements ToolCatalog {

    record Key(Caller caller, String agent) {
    }

    private final ToolCatalog owner;
    private final Duration ttl;
    private final InvalidatedCache<Key, TenantId, List<ToolDescriptor>> offers;

    CachedToolCatalog(ToolCatalog owner, CacheProperties properties, Ticker ticker) {
        this.owner = owner;
        this.ttl = properties.ttl();
        this.offers = new InvalidatedCache<>(properties.maxEntries(), properties.longestTtl(),
                key -> key.caller().tenant(), ticker);
    }

    @Override
    public List<ToolDescriptor> availableTo(Caller caller, String agent) {
        return offers.get(new Key(caller, agent), key -> List.copyOf(owner.availableTo(caller, agent)),
                (key, tools) -> ttl);
    }

    /** Stops serving what was read about the tenant's tools before now. */
    void invalidate(TenantId tenant) {
        offers.invalidate(tenant);
    }

    InvalidatedCache<Key, TenantId, List<ToolDescriptor>> offers() {
        return offers;
    }
}
