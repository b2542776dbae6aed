package io.retinue.runtime.internal.budgets;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How long a budget's usage adds up before it starts again from nothing: a UTC calendar day or month. */
public enum BudgetPeriod {

    DAY, MONTH;

    /** The name in the API: {@code day}, {@code month}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code daily}, {@code monthly}. */
    public String adjective() {
        return this == DAY ? "daily" : "monthly";
    }

    public static Optional<BudgetPeriod> of(String wire) {
        return Arrays.stream(values()).filter(period -> period.wire().equals(wire)).findFirst();
    }

    /** When the period holding {@code at} began. */
    public Instant start(Instant at) {
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        return (this == DAY ? day : day.withDayOfMonth(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** When the period holding {@code at} ends and the next begins. */
    public Instant end(Instant at) {
        LocalDate start = LocalDate.ofInstant(start(at), ZoneOffset.UTC);
        return (this == DAY ? start.plusDays(1) : start.plusMonths(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
