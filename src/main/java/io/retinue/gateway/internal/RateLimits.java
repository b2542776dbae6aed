package io.retinue.gateway.internal;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.retinue.shared.Caller;
import io.retinue.shared.TenantId;

/**
 * Decides whether a request may go ahead: one token from the caller's bucket and one from its tenant's, for the
 * request's route class, under the configured limits or the tenant's overrides. When the bucket store is away the
 * configured failure mode applies: let through with a warning, or refuse as unavailable.
 */
@Service
public class RateLimits implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);
    private static final long WARN_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    /** The outcome for one request: which policies applied, what is left of the tightest, how long to wait. */
    record Decision(Verdict verdict, List<LimitPolicy> policies, LimitPolicy tightest, long remaining,
            long secondsToReset, long retryAfterSeconds) {

        enum Verdict {
            ALLOWED, LIMITED, UNAVAILABLE, NOT_APPLIED
        }
    }

    private final RateLimitProperties properties;
    private final RateLimitOverrides overrides;
    private final Buckets buckets;
    private final Timer timer;
    private final MeterRegistry meters;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    RateLimits(RateLimitProperties properties, RateLimitOverrides overrides, MeterRegistry meters) {
        this.properties = properties;
        this.timer = Admission.timer(meters, "rate-limit");
        this.meters = meters;
        this.overrides = overrides;
        this.buckets = properties.backend() == RateLimitProperties.Backend.REDIS
                ? new RedisBuckets(properties.redisUrl(), properties.redisTimeout(), properties.keyPrefix())
                : new LocalBuckets();
    }

    /** The limits in force for a tenant, per route class: its overrides, else the configured ones. */
    public Map<RouteClass, RateLimitProperties.Limit> limitsOf(TenantId tenant) {
        Map<RouteClass, RateLimitProperties.Limit> limits = new EnumMap<>(properties.classes());
        limits.putAll(overrides.of(tenant));
        return limits;
    }

    @Transactional
    public void override(TenantId tenant, RouteClass routeClass, RateLimitProperties.Limit limit) {
        overrides.put(tenant, routeClass, limit);
    }

    @Transactional
    public void resetOverride(TenantId tenant, RouteClass routeClass) {
        overrides.remove(tenant, routeClass);
    }

    Decision decide(Caller caller, RouteClass routeClass) {
        return counted(timer.record(() -> take(caller, routeClass)), caller.tenant().value());
    }

    /** A request without credentials: one token from its client address's bucket. */
    Decision decideAnonymous(String address) {
        return counted(timer.record(() -> takeAnonymous(address)), "");
    }

    /** Counts a refusal by the policy that refused (or the limiter being away) and the caller's tenant. */
    private Decision counted(Decision decision, String tenant) {
        if (decision.verdict() == Decision.Verdict.LIMITED || decision.verdict() == Decision.Verdict.UNAVAILABLE) {
            Counter.builder("retinue.rate-limit.refusals")
                .description("Requests refused by a rate limit (429), or because the limiter was away and the "
                        + "installation fails closed (503)")
                .tags("policy", decision.verdict() == Decision.Verdict.LIMITED ? decision.tightest().name()
                        : "unavailable", "tenant", tenant)
                .register(meters)
                .increment();
        }
        return decision;
    }

    private Decision takeAnonymous(String address) {
        if (!properties.enabled()) {
            return new Decision(Decision.Verdict.NOT_APPLIED, List.of(), null, 0, 0, 0);
        }
        LimitPolicy policy = new LimitPolicy("anonymous-address", properties.anonymous().perAddress(),
                properties.anonymous().period());
        List<LimitPolicy> policies = List.of(policy);
        try {
            ConsumptionProbe probe = buckets.take("anonymous:a:" + address, policy);
            return probe.isConsumed() ? new Decision(Decision.Verdict.ALLOWED, policies, policy,
                    probe.getRemainingTokens(), seconds(probe.getNanosToWaitForReset()), 0)
                    : limited(policies, policy, probe);
        }
        catch (RuntimeException unreachable) {
            return unavailable(policies, unreachable);
        }
    }

    private Decision take(Caller caller, RouteClass routeClass) {
        if (!properties.enabled()) {
            return new Decision(Decision.Verdict.NOT_APPLIED, List.of(), null, 0, 0, 0);
        }
        RateLimitProperties.Limit limit = limitsOf(caller.tenant()).get(routeClass);
        LimitPolicy principal = new LimitPolicy(routeClass.wire() + "-principal", limit.principal(), limit.period());
        LimitPolicy tenant = new LimitPolicy(routeClass.wire() + "-tenant", limit.tenant(), limit.period());
        List<LimitPolicy> policies = List.of(principal, tenant);
        try {
            ConsumptionProbe own = buckets.take(routeClass.wire() + ":p:" + caller.principalId(), principal);
            if (!own.isConsumed()) {
                return limited(policies, principal, own);
            }
            ConsumptionProbe shared = buckets.take(routeClass.wire() + ":t:" + caller.tenant().value(), tenant);
            if (!shared.isConsumed()) {
                return limited(policies, tenant, shared);
            }
            boolean ownTighter = own.getRemainingTokens() <= shared.getRemainingTokens();
            ConsumptionProbe tight = ownTighter ? own : shared;
            return new Decision(Decision.Verdict.ALLOWED, policies, ownTighter ? principal : tenant,
                    tight.getRemainingTokens(), seconds(tight.getNanosToWaitForReset()), 0);
        }
        catch (RuntimeException unreachable) {
            return unavailable(policies, unreachable);
        }
    }

    /** The bucket store could not be reached: the configured failure mode decides. */
    private Decision unavailable(List<LimitPolicy> policies, RuntimeException unreachable) {
        warn(unreachable);
        return new Decision(properties.redisFailure() == RateLimitProperties.Failure.OPEN ? Decision.Verdict.NOT_APPLIED
                : Decision.Verdict.UNAVAILABLE, policies, null, 0, 0, 1);
    }

    private static Decision limited(List<LimitPolicy> policies, LimitPolicy policy, ConsumptionProbe probe) {
        return new Decision(Decision.Verdict.LIMITED, policies, policy, 0, seconds(probe.getNanosToWaitForReset()),
                Math.max(1, seconds(probe.getNanosToWaitForRefill())));
    }

    private static long seconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }

    private void warn(RuntimeException failure) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("Rate-limit store unreachable ({}); failing {}: {}", properties.backend(),
                    properties.redisFailure() == RateLimitProperties.Failure.OPEN ? "open" : "closed",
                    failure.toString());
        }
    }

    @Scheduled(fixedDelay = 60_000)
    void evictIdleBuckets() {
        if (buckets instanceof LocalBuckets local) {
            local.evictIdle();
        }
    }

    @Override
    public void destroy() {
        if (buckets instanceof RedisBuckets redis) {
            redis.close();
        }
    }
}
