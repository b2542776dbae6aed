package io.retinue.shared.outbound;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.retinue.shared.web.TraceContext;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The one way Retinue calls out: each target gets a timeout, a circuit breaker, a bulkhead and — for idempotent
 * calls only — retries with exponential back-off (Resilience4j). A refused call becomes {@link OutboundUnavailable}
 * (503 with Retry-After, or 504 on timeout); breaker, bulkhead and retry state are published as metrics
 * ({@code resilience4j.circuitbreaker.state{name=<target>}}, …).
 */
@Component
@EnableConfigurationProperties(OutboundProperties.class)
public class OutboundCalls implements AutoCloseable {

    private final OutboundProperties properties;
    private final CircuitBreakerRegistry breakers;
    private final BulkheadRegistry bulkheads;
    private final RetryRegistry retries;
    private final Map<String, Duration> timeouts = new ConcurrentHashMap<>();
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private static final ThreadLocal<String> TRACEPARENT = new ThreadLocal<>();

    public OutboundCalls(OutboundProperties properties, MeterRegistry meters) {
        this.properties = properties;
        OutboundProperties.Guard guard = properties.defaults();
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
            .failureRateThreshold(guard.failureRateThreshold())
            .minimumNumberOfCalls(guard.minimumCalls())
            .slidingWindowSize(guard.slidingWindow())
            .waitDurationInOpenState(guard.openFor())
            .permittedNumberOfCallsInHalfOpenState(2)
            .build());
        this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
            .maxConcurrentCalls(guard.maxConcurrent())
            .maxWaitDuration(Duration.ZERO)
            .build());
        this.retries = RetryRegistry.of(RetryConfig.custom()
            .maxAttempts(guard.retries() + 1)
            .intervalFunction(IntervalFunction.ofExponentialBackoff(guard.retryBackoff(), 2.0))
            .retryOnException(failure -> !(failure instanceof OutboundUnavailable unavailable)
                    || unavailable.type() == OutboundUnavailable.TIMEOUT)
            .build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
    }

    /** Calls {@code call} under the target's guard; its exceptions pass through unless the guard refuses the call. */
    public <T> T call(OutboundTarget target, Supplier<T> call) {
        return call(target, properties.timeouts().getOrDefault(target.name(), properties.defaults().timeout()), call);
    }

    /** As {@link #call(OutboundTarget, Supplier)}, with a timeout the caller chooses (e.g. a tool's own). */
    public <T> T call(OutboundTarget target, Duration timeout, Supplier<T> call) {
        return call(target, timeout, properties.defaults().maxConcurrent(), call);
    }

    /** As above, with the target's own limit of calls in flight (its bulkhead). */
    public <T> T call(OutboundTarget target, Duration timeout, int maxConcurrent, Supplier<T> call) {
        return call(target, timeout, maxConcurrent, failure -> true, call);
    }

    /**
     * As above, where only the failures {@code transientFailure} accepts (say, rate limits and unavailability, but
     * not a bad request or a wrong key) count against the breaker and, for idempotent calls, are retried.
     */
    public <T> T call(OutboundTarget target, Duration timeout, int maxConcurrent,
            java.util.function.Predicate<Throwable> transientFailure, Supplier<T> call) {
        // Only failures that say something about the target's health count against its breaker: a refused
        // credential or a bad request is the caller's problem, not the target's.
        // The registry keeps the first configuration a name was made with, so build one only for a new target.
        CircuitBreaker breaker = breakers.find(target.name()).orElseGet(() -> breakers.circuitBreaker(target.name(),
                CircuitBreakerConfig.from(breakers.getDefaultConfig())
                    .recordException(transientFailure)
                    .ignoreException(failure -> !transientFailure.test(failure))
                    .build()));
        Bulkhead bulkhead = bulkhead(target.name(), maxConcurrent);
        Supplier<T> guarded = CircuitBreaker.decorateSupplier(breaker,
                Bulkhead.decorateSupplier(bulkhead, () -> withTimeout(target, timeout, call)));
        if (target.idempotent()) {
            Retry retry = retries.find(target.name()).orElseGet(() -> {
                RetryConfig base = retries.getDefaultConfig();
                return retries.retry(target.name(), RetryConfig.from(base)
                    .retryOnException(failure -> base.getExceptionPredicate().test(failure) && transientFailure.test(failure))
                    .build());
            });
            guarded = Retry.decorateSupplier(retry, guarded);
        }
        try {
            return guarded.get();
        }
        catch (CallNotPermittedException open) {
            Duration wait = properties.defaults().openFor();
            throw new OutboundUnavailable(OutboundUnavailable.CIRCUIT_OPEN, "Calls to " + target.name()
                    + " are paused after repeated failures; retry later", target.name(), wait);
        }
        catch (BulkheadFullException full) {
            throw new OutboundUnavailable(OutboundUnavailable.SATURATED,
                    "Too many calls to " + target.name() + " are in flight; retry shortly", target.name(),
                    Duration.ofSeconds(1));
        }
    }

    /**
     * The W3C {@code traceparent} an outbound request made inside {@link #call} should carry: the trace of the
     * incoming request that caused the call, with a new span id. Null outside a call or a request.
     */
    public static String traceparent() {
        return TRACEPARENT.get();
    }

    /** The target's bulkhead, made again when its limit changed (a tool's limit is part of its definition). */
    private Bulkhead bulkhead(String name, int maxConcurrent) {
        Bulkhead current = bulkheads.find(name).orElseGet(() -> bulkheads.bulkhead(name, limitOf(maxConcurrent)));
        if (current.getBulkheadConfig().getMaxConcurrentCalls() != maxConcurrent) {
            current.changeConfig(limitOf(maxConcurrent));
        }
        return current;
    }

    private static BulkheadConfig limitOf(int maxConcurrent) {
        return BulkheadConfig.custom().maxConcurrentCalls(maxConcurrent).maxWaitDuration(Duration.ZERO).build();
    }

    /** The breaker state of a target: CLOSED, OPEN, HALF_OPEN, … */
    public String state(OutboundTarget target) {
        return breakers.circuitBreaker(target.name()).getState().name();
    }

    private <T> T withTimeout(OutboundTarget target, Duration timeout, Supplier<T> call) {
        CallInterrupts interrupts = CallInterrupts.current();
        if (interrupts != null && !interrupts.enter()) {
            throw new IllegalStateException("Stopped before calling " + target.name());
        }
        try {
            return interruptibly(target, timeout, call, interrupts == null);
        }
        finally {
            if (interrupts != null) {
                interrupts.exit();
            }
        }
    }

    /** {@code keepInterrupt}: a thread without {@link CallInterrupts} keeps an interrupt for its caller to see. */
    private <T> T interruptibly(OutboundTarget target, Duration timeout, Supplier<T> call, boolean keepInterrupt) {
        String traceparent = childOfCurrentTrace();
        // A plain Future (not a CompletableFuture), so that cancelling it interrupts the call: a blocking client
        // or a streamed response stops reading instead of running on unobserved.
        java.util.concurrent.Future<T> running = calls.submit(() -> {
            TRACEPARENT.set(traceparent);
            try {
                return call.get();
            }
            finally {
                TRACEPARENT.remove();
            }
        });
        try {
            return running.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException slow) {
            running.cancel(true);
            throw new OutboundUnavailable(OutboundUnavailable.TIMEOUT,
                    target.name() + " did not answer within " + timeout.toMillis() + " ms", target.name(), null);
        }
        catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(failed.getCause());
        }
        catch (InterruptedException interrupted) {
            if (keepInterrupt) {
                Thread.currentThread().interrupt();
            }
            running.cancel(true);
            throw new IllegalStateException("Interrupted while calling " + target.name(), interrupted);
        }
    }

    private static String childOfCurrentTrace() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes request
                && request.getRequest().getAttribute(TraceContext.ATTRIBUTE) instanceof TraceContext trace) {
            return trace.child();
        }
        return TRACEPARENT.get();
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
