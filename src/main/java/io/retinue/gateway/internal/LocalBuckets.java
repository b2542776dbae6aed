package io.retinue.gateway.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

/**
 * Buckets in this process. A bucket is replaced when its policy changes; idle full buckets are dropped so the map
 * holds only recently active principals.
 */
final class LocalBuckets implements Buckets {

    /** A principal's or tenant's bucket under one policy; when it was last used, for eviction. */
    private static final class Entry {

        final LimitPolicy policy;
        final Bucket bucket;
        volatile long touchedNanos = System.nanoTime();

        Entry(LimitPolicy policy) {
            this.policy = policy;
            this.bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity(policy.capacity()).refillGreedy(policy.capacity(), policy.period()))
                .build();
        }
    }

    private final Map<String, Entry> buckets = new ConcurrentHashMap<>();

    @Override
    public ConsumptionProbe take(String key, LimitPolicy policy) {
        // A plain read on the hot path: every request of a principal shares its bucket, and a map compute per request
        // would make them queue on one lock.
        Entry entry = buckets.get(key);
        if (entry == null || !entry.policy.equals(policy)) {
            entry = buckets.compute(key, (k, existing) -> existing != null && existing.policy.equals(policy) ? existing
                    : new Entry(policy));
        }
        entry.touchedNanos = System.nanoTime();
        return entry.bucket.tryConsumeAndReturnRemaining(1);
    }

    /** Drops buckets untouched for longer than their period: they would be full again anyway. */
    void evictIdle() {
        long now = System.nanoTime();
        buckets.entrySet().removeIf(entry -> now - entry.getValue().touchedNanos
                > Duration.ofSeconds(Math.max(60, entry.getValue().policy.period().toSeconds())).toNanos());
    }

    int size() {
        return buckets.size();
    }
}
