package io.retinue.runtime.internal.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * A bounded cache of another module's answers that the events of that module invalidate, a scope at a time (an agent
 * of a tenant, a tenant's tools), with a time to live per answer as the backstop for an event that never came.
 * <p>
 * An invalidation also covers the loads under way when it comes. A load that began before the change committed may
 * have read the old state and store it after the invalidation ran; evicting entries cannot catch it. So every
 * invalidation takes the next stamp of a clock, each entry keeps the stamp that was current when its load began, and an
 * entry is served only while no invalidation of its scope is newer than it. Invalidations are remembered as long as an
 * entry loaded before them may live (its time to live counts from the start of its load); when more scopes are
 * remembered than the cache holds entries, every entry older than the newest invalidation is let go instead.
 *
 * @param <K> the key of an answer
 * @param <S> the scope an invalidation names; each key belongs to one
 * @param <V> the answer
 */
final class InvalidatedCache<K, S, V> {

    private record Entry<V>(V value, long stamp, long expiresAt) {
    }

    private final Cache<K, Entry<V>> entries;
    private final Cache<S, Long> invalidated;
    private final Function<K, S> scopeOf;
    private final Ticker ticker;
    private final long maxEntries;
    private final AtomicLong clock = new AtomicLong();
    /** Entries whose load began before this stamp are not served. */
    private final AtomicLong floor = new AtomicLong();

    InvalidatedCache(long maxEntries, Duration longestTtl, Function<K, S> scopeOf, Ticker ticker) {
        this.maxEntries = maxEntries;
        this.scopeOf = scopeOf;
        this.ticker = ticker;
        this.entries = Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .ticker(ticker)
            .expireAfter(new Expiry<K, Entry<V>>() {
                @Override
                public long expireAfterCreate(K key, Entry<V> entry, long now) {
                    return entry.expiresAt() - now;
                }

                @Override
                public long expireAfterUpdate(K key, Entry<V> entry, long now, long currentDuration) {
                    return entry.expiresAt() - now;
                }

                @Override
                public long expireAfterRead(K key, Entry<V> entry, long now, long currentDuration) {
                    return currentDuration;
                }
            })
            .recordStats()
            .build();
        this.invalidated = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(longestTtl.plusSeconds(1)).build();
    }

    /**
     * The answer for {@code key}: kept, or loaded and kept for as long as {@code ttl} says (nothing is kept for a zero
     * time, and nothing when the cache holds no entries). A load that fails keeps nothing.
     */
    V get(K key, Function<K, V> load, BiFunction<K, V, Duration> ttl) {
        if (maxEntries == 0) {
            return load.apply(key);
        }
        Entry<V> kept = entries.getIfPresent(key);
        if (kept != null) {
            if (current(key, kept)) {
                return kept.value();
            }
            entries.asMap().remove(key, kept);
        }
        // In this order: the time to live counts from before the stamp was read, so an invalidation newer than the
        // entry is remembered at least as long as the entry lives.
        long started = ticker.read();
        long stamp = clock.get();
        V value = load.apply(key);
        Duration lifetime = ttl.apply(key, value);
        if (lifetime.isPositive()) {
            entries.put(key, new Entry<>(value, stamp, started + lifetime.toNanos()));
        }
        return value;
    }

    /**
     * Stops serving what was loaded for {@code scope} before now (and what is being loaded for it now). One at a time:
     * letting every earlier answer go must not lose an invalidation made meanwhile (they are rare, reads never wait).
     */
    synchronized void invalidate(S scope) {
        long stamp = clock.incrementAndGet();
        if (invalidated.estimatedSize() >= maxEntries) {
            floor.accumulateAndGet(stamp, Math::max);
            invalidated.invalidateAll();
        }
        else {
            invalidated.asMap().merge(scope, stamp, Math::max);
        }
    }

    /** The kept answers themselves, for their metrics. */
    Cache<K, ?> entries() {
        return entries;
    }

    private boolean current(K key, Entry<V> entry) {
        if (entry.stamp() < floor.get()) {
            return false;
        }
        Long latest = invalidated.getIfPresent(scopeOf.apply(key));
        return latest == null || latest <= entry.stamp();
    }
}
