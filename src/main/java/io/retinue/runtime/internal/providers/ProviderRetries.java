package io.retinue.runtime.internal.providers;

import java.time.Duration;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.retinue.shared.outbound.OutboundProperties;

/**
 * Retries of model calls (Resilience4j), per connection ({@code model:<name>}, as its breaker): as many and with the
 * back-off of {@code retinue.outbound.defaults} (2 retries, 200 ms doubling), but only failures
 * {@link ProviderFailure#retryable()} — and after the wait the provider asked for in {@code Retry-After}, when it
 * said one. They are the runtime's rather than the outbound guard's because only here is it known whether part of
 * the answer was reported and how long the run has left.
 */
@Component
public class ProviderRetries {

    private final RetryRegistry retries;

    ProviderRetries(OutboundProperties outbound, MeterRegistry meters) {
        IntervalFunction backoff = IntervalFunction.ofExponentialBackoff(outbound.defaults().retryBackoff(), 2.0);
        this.retries = RetryRegistry.of(RetryConfig.custom()
            .maxAttempts(outbound.defaults().retries() + 1)
            .retryOnException(failure -> ProviderFailure.of(failure).retryable())
            .intervalBiFunction((attempt, outcome) -> {
                Duration asked = outcome.isLeft() ? ProviderFailure.of(outcome.getLeft()).retryAfter() : null;
                return asked != null ? asked.toMillis() : backoff.apply(attempt);
            })
            .build());
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
    }

    /** Makes the call, again as long as its failures are worth retrying. */
    public <T> T call(ModelConnection connection, Supplier<T> attempt) {
        return Retry.decorateSupplier(retries.retry(connection.target().name()), attempt).get();
    }
}
