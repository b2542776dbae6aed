package io.retinue.gateway.internal;

import java.time.Duration;

import io.github.bucket4j.BucketConfiguration;

/** One bucket's rule: {@code capacity} requests, refilled greedily over {@code period}; named for the headers. */
record LimitPolicy(String name, long capacity, Duration period) {

    BucketConfiguration bucket() {
        return BucketConfiguration.builder()
            .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, period))
            .build();
    }

    /** The policy as an item of the RateLimit-Policy header (IETF httpapi-ratelimit-headers). */
    String header() {
        return "\"" + name + "\";q=" + capacity + ";w=" + period.toSeconds();
    }
}
