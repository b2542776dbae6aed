package io.retinue.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * Buckets in Redis, shared by every instance (compare-and-swap through Bucket4j's Lettuce proxy manager). Commands
 * fail fast while Redis is away instead of queueing; the connection is (re)made lazily, so the gateway starts and
 * recovers without Redis and picks it up again when it returns. A busy principal's requests would race each other's
 * compare-and-swap and retry over the network: see {@link #optimization} for what is done about it.
 */
final class RedisBuckets implements Buckets, AutoCloseable {

    private static final long RECONNECT_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    /** Buckets from this capacity on count locally between synchronisations. */
    static final long SYNCED_FROM = 1_000;

    /** The longest a large bucket counts locally. */
    static final Duration SYNC_EVERY = Duration.ofMillis(100);

    private final RedisClient client;
    private final String prefix;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile ProxyManager<byte[]> proxies;
    private volatile long lastFailedConnectNanos;
    private final Cache<Held, BucketProxy> held = Caffeine.newBuilder()
        .expireAfterAccess(Duration.ofMinutes(2))
        .maximumSize(100_000)
        .build();

    /** A bucket proxy is kept per key and policy, since the batching lives in the proxy. */
    private record Held(String key, LimitPolicy policy) {
    }

    RedisBuckets(String url, Duration timeout, String prefix) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        this.client = RedisClient.create(uri);
        this.client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .build());
        this.prefix = prefix;
    }

    @Override
    public ConsumptionProbe take(String key, LimitPolicy policy) {
        ProxyManager<byte[]> proxies = proxies();
        return held.get(new Held(key, policy), bucket -> proxies.builder()
            .withOptimization(optimization(policy))
            .build(redisKey(key, policy), policy::bucket))
            .tryConsumeAndReturnRemaining(1);
    }

    /**
     * A bucket stored in Redis keeps the configuration it was made with: the key names the policy, so that a changed
     * limit takes effect at once with a bucket of its own (as {@link LocalBuckets} replaces one), and the bucket of the
     * old policy expires once it would be full again.
     */
    private byte[] redisKey(String key, LimitPolicy policy) {
        return (prefix + key + ":" + policy.capacity() + "/" + policy.period().toMillis())
            .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * How a bucket talks to Redis. Every take is a compare-and-swap there; a busy principal's concurrent requests
     * race each other's and retry (at four at once, a take cost 2.9 ms instead of 0.6). A large bucket (at least
     * {@link #SYNCED_FROM} per period) therefore counts locally and sends what it took every 1 % of its capacity or
     * {@link #SYNC_EVERY}, whichever comes first — each instance may go over the limit by at most 1 % of it. Smaller
     * buckets, whose 1 % would be a token or less, stay exact (concurrent takes sent together, Bucket4j's batching).
     */
    private static Optimization optimization(LimitPolicy policy) {
        if (policy.capacity() < SYNCED_FROM) {
            return Optimizations.batching();
        }
        return Optimizations.delaying(new DelayParameters(policy.capacity() / 100, SYNC_EVERY));
    }

    private ProxyManager<byte[]> proxies() {
        ProxyManager<byte[]> current = proxies;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (proxies == null) {
                // While Redis is away, try to connect at most once a second instead of on every request.
                if (System.nanoTime() - lastFailedConnectNanos < RECONNECT_INTERVAL_NANOS) {
                    throw new RedisConnectionException("Redis was unreachable moments ago; not retrying yet");
                }
                try {
                    connection = client.connect(ByteArrayCodec.INSTANCE);
                }
                catch (RuntimeException unreachable) {
                    lastFailedConnectNanos = System.nanoTime();
                    throw unreachable;
                }
                proxies = Bucket4jLettuce.casBasedBuilder(connection)
                    .expirationAfterWrite(
                            ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .build();
            }
            return proxies;
        }
    }

    @Override
    public void close() {
        held.invalidateAll();
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
