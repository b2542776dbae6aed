package io.retinue.runtime.internal.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;
import org.springframework.scheduling.support.CronExpression;

/** Which due time a schedule that missed several fires for. */
class ScheduleTimesTest {

    private static final ZoneId UTC = ZoneId.of("UTC");

    @Test
    void theLatestMissedTimeIsTheLastOneAtOrBeforeNow() {
        CronExpression hourly = CronExpression.parse("0 0 * * * *");
        assertThat(Schedules.latest(hourly, UTC, Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-03T05:30:00Z"))).isEqualTo(Instant.parse("2026-01-03T05:00:00Z"));
        assertThat(Schedules.latest(hourly, UTC, Instant.parse("2026-01-03T05:00:00Z"),
                Instant.parse("2026-01-03T05:00:00Z"))).as("due now, nothing missed")
            .isEqualTo(Instant.parse("2026-01-03T05:00:00Z"));
    }

    @Test
    void aScheduleEverySecondThatMissedADayIsSettledQuickly() {
        CronExpression everySecond = CronExpression.parse("* * * * * *");
        assertThat(Schedules.latest(everySecond, UTC, Instant.parse("2025-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T12:00:00.250Z"))).isEqualTo(Instant.parse("2026-01-01T12:00:00Z"));
    }

    @Test
    void sparseTimesAreFoundFarBack() {
        CronExpression yearly = CronExpression.parse("0 0 0 1 1 *");
        assertThat(Schedules.latest(yearly, ZoneId.of("Europe/Berlin"), Instant.parse("2019-12-31T23:00:00Z"),
                Instant.parse("2026-06-01T00:00:00Z"))).isEqualTo(Instant.parse("2025-12-31T23:00:00Z"));
    }
}
