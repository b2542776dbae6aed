package io.retinue.gateway.internal;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code retinue.rate-limit.*}: token buckets per principal and per tenant for each route class, kept in process by
 * default or in Redis (shared by every instance) when {@code backend=redis}.
 */
@ConfigurationProperties("retinue.rate-limit")
public record RateLimitProperties(Boolean enabled, Backend backend, String redisUrl, Duration redisTimeout,
        Failure redisFailure, String keyPrefix, Map<RouteClass, Limit> classes, Anonymous anonymous) {

    /** Where buckets live. */
    public enum Backend {
        LOCAL, REDIS
    }

    /** What to do when Redis cannot be reached: let requests through (with a warning) or refuse them with 503. */
    public enum Failure {
        OPEN, CLOSED
    }

    /** The capacity of a principal's and of a tenant's bucket, refilled greedily over {@code period}. */
    public record Limit(long principal, long tenant, Duration period) {
    }

    /**
     * Requests that present no credentials, per client address ({@code perAddress} over {@code period}): the public
     * routes (login, token refresh, API docs) and every refused one, which an anonymous client could otherwise send
     * without bound.
     */
    public record Anonymous(long perAddress, Duration period) {

        public Anonymous {
            period = period == null ? Duration.ofMinutes(1) : period;
        }
    }

    public RateLimitProperties {
        enabled = enabled == null || enabled;
        backend = backend == null ? Backend.LOCAL : backend;
        redisUrl = redisUrl == null ? "redis://127.0.0.1:6379" : redisUrl;
        redisTimeout = redisTimeout == null ? Duration.ofMillis(500) : redisTimeout;
        redisFailure = redisFailure == null ? Failure.OPEN : redisFailure;
        keyPrefix = keyPrefix == null ? "retinue:rl:" : keyPrefix;
        Map<RouteClass, Limit> all = new EnumMap<>(RouteClass.class);
        all.put(RouteClass.READ, new Limit(1200, 6000, Duration.ofMinutes(1)));
        all.put(RouteClass.WRITE, new Limit(300, 1500, Duration.ofMinutes(1)));
        all.put(RouteClass.EXECUTE, new Limit(120, 600, Duration.ofMinutes(1)));
        if (classes != null) {
            all.putAll(classes);
        }
        classes = Map.copyOf(all);
        anonymous = anonymous == null ? new Anonymous(300, Duration.ofMinutes(1)) : anonymous;
    }
}
