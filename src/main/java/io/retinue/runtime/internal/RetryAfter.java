package io.retinue.runtime.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A provider's {@code Retry-After} (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. A value that is neither, or a
 * date already past, says nothing: the runtime's own back-off applies then.
 */
final class RetryAfter {

    private RetryAfter() {
    }

    static Duration parse(String value) {
        return parse(value, Clock.systemUTC());
    }

    static Duration parse(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.strip();
        if (text.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(text));
            }
            catch (NumberFormatException huge) {
                return Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L);
            }
        }
        try {
            Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(clock.instant(), at);
            return wait.isNegative() ? Duration.ZERO : wait;
        }
        catch (DateTimeParseException notADate) {
            return null;
        }
    }
}
