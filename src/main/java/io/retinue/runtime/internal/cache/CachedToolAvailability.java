package io.retinue.runtime.internal.cache;

import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Ticker;

import io.retinue.agents.ToolAvailability;
import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;

/**
 * Why the tools an agent names would not be offered to a caller's run, as the runtime reads it (asked only when some
 * are not): kept per caller, agent and names, and ended for the whole tenant by any change to its tools or grants,
 * like {@link CachedToolCatalog}.
 */
final class CachedToolAvailability implements ToolAvailability {

    record Key(Caller caller, String agent, List<String> names) {
    }

    private final ToolAvailability owner;
    private final Duration ttl;
    private final InvalidatedCache<Key, TenantId, List<Withheld>> withheld;

    CachedToolAvailability(ToolAvailability owner, CacheProperties properties, Ticker ticker) {
        this.owner = owner;
        this.ttl = properties.ttl();
        this.withheld = new InvalidatedCache<>(properties.maxEntries(), properties.longestTtl(),
                key -> key.caller().tenant(), ticker);
    }

    @Override
    public List<Withheld> withheld(Caller caller, String agent, List<String> names) {
        List<String> asked = List.copyOf(names);
        return withheld.get(new Key(caller, agent, asked), key -> List.copyOf(owner.withheld(caller, agent, asked)),
                (key, answer) -> ttl);
    }

    /** Stops serving what was read about the tenant's tools before now. */
    void invalidate(TenantId tenant) {
        withheld.invalidate(tenant);
    }

    InvalidatedCache<Key, TenantId, List<Withheld>> answers() {
        return withheld;
    }
}
