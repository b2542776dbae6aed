package io.retinue.shared.outbound;

import java.time.Duration;
import java.time.Instant;
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
import io.retinue.shared.tracing.Traces;

/**
 * The one way Retinue calls out: each target gets a timeout (of the whole call, retries included), a circuit breaker,
 * a bulkhead and — for idempotent calls only — retries of transient failures with exponential back-off, or after the
 * target's own {@link RetryAfter} when it fits in the time left (Resilience4j). A refused call becomes {@link OutboundUnavailable}
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
    private final IntervalFunction backoff;
    private final Map<String, Instant> openUntil = new ConcurrentHashMap<>();
    private final ThreadLocal<Budget> budgets = new ThreadLocal<>();
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private static final ThreadLocal<String> TRACEPARENT = new ThreadLocal<>();
    private final Traces traces;

    /** For code run outside an application: nothing traced. */
    public OutboundCalls(OutboundProperties properties, MeterRegistry meters) {
        this(properties, meters, Traces.none());
    }

    @org.springframework.beans.factory.annotation.Autowired
    public OutboundCalls(OutboundProperties properties, MeterRegistry meters, Traces traces) {
        this.traces = traces;
        this.properties = properties;
        OutboundProperties.Guard guard = properties.defaults();
        this.backoff = IntervalFunction.ofExponentialBackoff(guard.retryBackoff(), 2.0);
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
            .failureRateThreshold(guard.failureRateThreshold())
            .minimumNumberOfCalls(guard.minimumCalls())
            .slidingWindowSize(guard.slidingWindow())
            .waitDurationInOpenState(guard.openFor())
            .permittedNumberOfCallsInHalfOpenState(2)
            .build());
        // Resilience4j does not tell how long an open breaker stays open, and a refused caller is owed Retry-After.
        breakers.getEventPublisher().onEntryAdded(added -> added.getAddedEntry().getEventPublisher()
            .onStateTransition(event -> {
                if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                    openUntil.put(event.getCircuitBreakerName(), Instant.now().plus(guard.openFor()));
                }
            }));
        this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
            .maxConcurrentCalls(guard.maxConcurrent())
            .maxWaitDuration(Duration.ZERO)
            .build());
        this.retries = RetryRegistry.of(RetryConfig.custom()
            .maxAttempts(guard.retries() + 1)
            .intervalBiFunction((attempt, outcome) -> interval(attempt, outcome.isLeft() ? outcome.getLeft() : null))
            .retryOnException(this::worthRetrying)
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
     * not a bad request or a wrong key) count against the breaker and, for idempotent calls, are retried; others
     * pass through at once. {@code timeout} bounds the whole call: every attempt and the waits between them share
     * it, so a retry is made only while time is left. A failure that is a {@link RetryAfter} with a wait is retried
     * no sooner than that wait, and not at all when the wait does not fit in the time left. The guard's own refusals
     * (an open breaker, a full bulkhead) are never retried.
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
        Budget budget = new Budget(timeout);
        Supplier<T> guarded = CircuitBreaker.decorateSupplier(breaker,
                Bulkhead.decorateSupplier(bulkhead, () -> withTimeout(target, budget, call)));
        if (target.idempotent()) {
            Retry retry = retries.find(target.name()).orElseGet(() -> {
                RetryConfig base = retries.getDefaultConfig();
                return retries.retry(target.name(), RetryConfig.from(base)
                    .retryOnException(failure -> transientFailure.test(failure)
                            && base.getExceptionPredicate().test(failure))
                    .build());
            });
            guarded = Retry.decorateSupplier(retry, guarded);
        }
        Budget outer = budgets.get();
        budgets.set(budget);
        try {
            return guarded.get();
        }
        catch (CallNotPermittedException open) {
            throw new OutboundUnavailable(OutboundUnavailable.CIRCUIT_OPEN, "Calls to " + target.name()
                    + " are paused after repeated failures; retry later", target.name(), stillOpenFor(target.name()));
        }
        catch (BulkheadFullException full) {
            throw new OutboundUnavailable(OutboundUnavailable.SATURATED,
                    "Too many calls to " + target.name() + " are in flight; retry shortly", target.name(),
                    Duration.ofSeconds(1));
        }
        finally {
            budgets.set(outer);
        }
    }

    /**
     * The time one guarded call may take, shared by its attempts and the waits between them, and how many of its
     * attempts failed so far (the retry's predicate and interval function read it, on the calling thread).
     */
    private static final class Budget {

        private final Duration timeout;
        private final long deadline;
        private int failures;

        Budget(Duration timeout) {
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        Duration left() {
            return Duration.ofNanos(deadline - System.nanoTime());
        }
    }

    /**
     * Whether a failed attempt is worth another: not when the guard itself refused it (retrying an open breaker or
     * a full bulkhead at once only asks again), and only when the wait before the next attempt fits in the call's
     * time left — otherwise the failure is given up at once rather than after a wait that cannot end in an answer.
     */
    private boolean worthRetrying(Throwable failure) {
        if (failure instanceof CallNotPermittedException || failure instanceof BulkheadFullException
                || (failure instanceof OutboundUnavailable unavailable && unavailable.type() != OutboundUnavailable.TIMEOUT)) {
            return false;
        }
        Budget budget = budgets.get();
        if (budget == null) {
            return true;
        }
        budget.failures++;
        return wait(budget.failures, failure).compareTo(budget.left()) < 0;
    }

    /** The wait before attempt {@code attempt + 1}: the back-off, or longer when the target asked for longer. */
    private long interval(int attempt, Throwable failure) {
        Duration wait = wait(attempt, failure);
        Budget budget = budgets.get();
        if (budget != null && wait.compareTo(budget.left()) > 0) {
            wait = budget.left().isNegative() ? Duration.ZERO : budget.left();
        }
        return wait.toMillis();
    }

    private Duration wait(int attempt, Throwable failure) {
        Duration backedOff = Duration.ofMillis(backoff.apply(attempt));
        Duration asked = failure == null ? null : RetryAfter.of(failure);
        return asked != null && asked.compareTo(backedOff) > 0 ? asked : backedOff;
    }

    /** What is left of an open breaker's wait, in whole seconds (at least one), as Retry-After is sent. */
    private Duration stillOpenFor(String target) {
        Instant until = openUntil.get(target);
        long millis = until == null ? properties.defaults().openFor().toMillis()
                : Duration.between(Instant.now(), until).toMillis();
        return Duration.ofSeconds(Math.max(1, (millis + 999) / 1000));
    }

    /**
     * The W3C {@code traceparent} an outbound request made inside {@link #call} should carry: the span that made the
     * call (a model call's, a tool call's, the request's) as its parent. Null outside a call, or when nothing is traced.
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

    private <T> T withTimeout(OutboundTarget target, Budget budget, Supplier<T> call) {
        Duration left = budget.left();
        if (left.isNegative() || left.isZero()) {
            throw timedOut(target, budget);
        }
        CallInterrupts interrupts = CallInterrupts.current();
        if (interrupts != null && !interrupts.enter()) {
            throw new IllegalStateException("Stopped before calling " + target.name());
        }
        try {
            return interruptibly(target, budget, left, call, interrupts == null);
        }
        finally {
            if (interrupts != null) {
                interrupts.exit();
            }
        }
    }

    /** {@code keepInterrupt}: a thread without {@link CallInterrupts} keeps an interrupt for its caller to see. */
    private <T> T interruptibly(OutboundTarget target, Budget budget, Duration left, Supplier<T> call,
            boolean keepInterrupt) {
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
            return running.get(left.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException slow) {
            running.cancel(true);
            throw timedOut(target, budget);
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

    private static OutboundUnavailable timedOut(OutboundTarget target, Budget budget) {
        return new OutboundUnavailable(OutboundUnavailable.TIMEOUT,
                target.name() + " did not answer within " + budget.timeout.toMillis() + " ms", target.name(), null);
    }

    /** The trace of this thread's current span (a tool's or model call's), or the one a call in progress carries. */
    private String childOfCurrentTrace() {
        String current = traces.current();
        return current != null ? current : TRACEPARENT.get();
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
