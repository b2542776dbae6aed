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

    private record Entry(LimitPolicy policy, Bucket bucket, long touchedNanos) {
    }

    private final Map<String, Entry> buckets = new ConcurrentHashMap<>();

    @Override
    public ConsumptionProbe take(String key, LimitPolicy policy) {
        Entry entry = buckets.compute(key, (k, existing) -> existing != null && existing.policy().equals(policy)
                ? new Entry(policy, existing.bucket(), System.nanoTime())
                : new Entry(policy, Bucket.builder().addLimit(limit -> limit.capacity(policy.capacity())
                    .refillGreedy(policy.capacity(), policy.period())).build(), System.nanoTime()));
        return entry.bucket().tryConsumeAndReturnRemaining(1);
    }

    /** Drops buckets untouched for longer than their period: they would be full again anyway. */
    void evictIdle() {
        long now = System.nanoTime();
        buckets.entrySet().removeIf(entry -> now - entry.getValue().touchedNanos()
                > Duration.ofSeconds(Math.max(60, entry.getValue().policy().period().toSeconds())).toNanos());
    }

    int size() {
        return buckets.size();
    }
}
