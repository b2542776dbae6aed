package io.retinue.runtime.internal.cache;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code retinue.runtime.cache.*}: how many answers each of the runtime's caches of other modules' reads holds
 * ({@code max-entries}; 0 turns them off), and how long an answer is kept at most: an agent's live spec and the tools
 * a caller may be offered ({@code ttl}), a spec pinned by version number ({@code pinned-ttl}; immutable but for its
 * agent's deletion, rename or next publication) and a not-found answer ({@code negative-ttl}). The events that change
 * these answers end them sooner; the times are the backstop for an event that did not arrive.
 */
@ConfigurationProperties("retinue.runtime.cache")
public record CacheProperties(Long maxEntries, Duration ttl, Duration pinnedTtl, Duration negativeTtl) {

    public CacheProperties {
        maxEntries = maxEntries == null ? 10_000L : maxEntries;
        ttl = ttl == null ? Duration.ofSeconds(30) : ttl;
        pinnedTtl = pinnedTtl == null ? Duration.ofMinutes(10) : pinnedTtl;
        negativeTtl = negativeTtl == null ? Duration.ofSeconds(2) : negativeTtl;
        if (maxEntries < 0 || ttl.isNegative() || pinnedTtl.isNegative() || negativeTtl.isNegative()) {
            throw new IllegalArgumentException("retinue.runtime.cache.* must not be negative");
        }
    }

    /** The longest any answer may be kept. */
    Duration longestTtl() {
        Duration longest = ttl.compareTo(pinnedTtl) >= 0 ? ttl : pinnedTtl;
        return longest.compareTo(negativeTtl) >= 0 ? longest : negativeTtl;
    }
}
