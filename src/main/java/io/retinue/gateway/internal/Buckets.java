package io.retinue.gateway.internal;

import io.github.bucket4j.ConsumptionProbe;

/** Where token buckets live: in this process or in a store all instances share. */
interface Buckets {

    /** Takes one token from the bucket under {@code key}; throws when the store cannot be reached. */
    ConsumptionProbe take(String key, LimitPolicy policy);
}
