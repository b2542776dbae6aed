package io.retinue.shared.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * What the guard retries and how long it may take: only transient failures are retried and count against the breaker,
 * the timeout bounds the whole call, an open breaker is not asked again, and a target's Retry-After is honoured when
 * it fits in the time left.
 */
class OutboundRetriesTest {

    private final OutboundCalls outbound = new OutboundCalls(new OutboundProperties(new OutboundProperties.Guard(
            Duration.ofSeconds(5), 50, 4, 4, Duration.ofSeconds(3), 64, 2, Duration.ofMillis(200)), null),
            new SimpleMeterRegistry());
    private final AtomicInteger attempts = new AtomicInteger();

    /** A failure the target is to blame for, optionally asking to be called again only after a while. */
    static final class Unavailable extends RuntimeException implements RetryAfter {

        private final Duration retryAfter;

        Unavailable(Duration retryAfter) {
            super("unavailable");
            this.retryAfter = retryAfter;
        }

        @Override
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    static final class BadRequest extends RuntimeException {

        BadRequest() {
            super("bad request");
        }
    }

    private static final Predicate<Throwable> TRANSIENT = failure -> !(failure instanceof BadRequest);

    @AfterEach
    void close() {
        outbound.close();
    }

    private OutboundTarget target() {
        return new OutboundTarget("retries-" + java.util.UUID.randomUUID(), true);
    }

    private String failing(RuntimeException failure) {
        attempts.incrementAndGet();
        throw failure;
    }

    @Test
    void aCallersMistakeIsNeitherRetriedNorCountedAgainstTheBreaker() {
        OutboundTarget target = target();
        for (int i = 0; i < 6; i++) {
            assertThatThrownBy(() -> outbound.call(target, Duration.ofSeconds(5), 8, TRANSIENT,
                    () -> failing(new BadRequest()))).isInstanceOf(BadRequest.class);
        }
        assertThat(attempts.get()).as("one attempt per call").isEqualTo(6);
        assertThat(outbound.state(target)).isEqualTo("CLOSED");
    }

    @Test
    void theTimeoutBoundsTheWholeCallRetriesIncluded() {
        OutboundTarget target = target();
        long started = System.nanoTime();
        assertThatThrownBy(() -> outbound.call(target, Duration.ofMillis(700), 8, TRANSIENT, () -> {
            attempts.incrementAndGet();
            sleep(400);
            throw new Unavailable(null);
        })).isInstanceOf(RuntimeException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1000));
        assertThat(attempts.get()).isEqualTo(2);
    }

    @Test
    void anOpenBreakerIsNotRetriedAndSaysHowLongItStaysOpen() {
        OutboundTarget target = target();
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> outbound.call(new OutboundTarget(target.name(), false), Duration.ofSeconds(5), 8,
                    TRANSIENT, () -> failing(new Unavailable(null))));
        }
        assertThat(outbound.state(target)).isEqualTo("OPEN");
        long started = System.nanoTime();
        assertThatThrownBy(() -> outbound.call(target, Duration.ofSeconds(5), 8, TRANSIENT, () -> "never"))
            .isInstanceOfSatisfying(OutboundUnavailable.class, open -> {
                assertThat(open.type()).isEqualTo(OutboundUnavailable.CIRCUIT_OPEN);
                assertThat(open.retryAfter()).isEqualTo(Duration.ofSeconds(3));
            });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no back-off before giving up")
            .isLessThan(Duration.ofMillis(150));
    }

    @Test
    void aRetryAfterThatFitsIsWaitedFor() {
        OutboundTarget target = target();
        long started = System.nanoTime();
        String answer = outbound.call(target, Duration.ofSeconds(5), 8, TRANSIENT,
                () -> attempts.incrementAndGet() == 1 ? failing0(new Unavailable(Duration.ofSeconds(1))) : "ok");
        assertThat(answer).isEqualTo("ok");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aRetryAfterLongerThanTheTimeLeftGivesUpAtOnce() {
        OutboundTarget target = target();
        long started = System.nanoTime();
        Unavailable busy = new Unavailable(Duration.ofSeconds(2));
        assertThatThrownBy(() -> outbound.call(target, Duration.ofSeconds(1), 8, TRANSIENT, () -> failing(busy)))
            .isSameAs(busy);
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(RetryAfter.parse("2", now)).isEqualTo(Duration.ofSeconds(2));
        assertThat(RetryAfter.parse(DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(30).atOffset(ZoneOffset.UTC)),
                now)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Sun, 01 Mar 2026 11:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", now)).isNull();
        assertThat(RetryAfter.parse("99999999999999999999999", now)).as("longer than any call may wait")
            .isGreaterThan(Duration.ofDays(365));
        assertThat(RetryAfter.parse(null, now)).isNull();
    }

    private static String failing0(RuntimeException failure) {
        throw failure;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }
}
