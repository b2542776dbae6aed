package io.retinue.shared.outbound;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A failure after which the target said when it may be called again (HTTP {@code Retry-After} on a 429 or 503).
 * Implemented by the exception a guarded call throws: {@link OutboundCalls}' retry waits that long before the next
 * attempt when the wait fits in what is left of the call's timeout, and otherwise gives up at once with the failure.
 */
public interface RetryAfter {

    /** How long the target asked to wait; null when it did not say. */
    Duration retryAfter();

    /**
     * A {@code Retry-After} header's value — delay-seconds or an HTTP-date — as a wait from {@code now}; null when
     * absent or not understood (a date in the past is no wait).
     */
    static Duration parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.strip();
        if (text.chars().allMatch(Character::isDigit)) {
            // More digits than fit says "not for a very long time", which no call's time left can wait for.
            return Duration.ofSeconds(text.length() > 12 ? 999_999_999_999L : Long.parseLong(text));
        }
        try {
            Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
        }
        catch (DateTimeParseException notADate) {
            return null;
        }
    }

    /** The wait the first {@link RetryAfter} in {@code failure}'s cause chain asks for; null when none does. */
    static Duration of(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < 10; depth++, current = current.getCause()) {
            if (current instanceof RetryAfter hinted && hinted.retryAfter() != null) {
                return hinted.retryAfter();
            }
        }
        return null;
    }
}
