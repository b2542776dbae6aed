package io.retinue.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

    @Test
    void idsSortByTheMillisecondTheyWereMadeAsADatabaseComparesThem() {
        long from = System.currentTimeMillis();
        Set<UUID> seen = new HashSet<>();
        UUID previous = TimeOrderedIds.next();
        int laterMilliseconds = 0;
        for (int i = 0; i < 20_000; i++) {
            UUID id = TimeOrderedIds.next();
            assertThat(id.version()).isEqualTo(7);
            assertThat(seen.add(id)).isTrue();
            assertThat(millisecond(id)).as("id %d", i).isGreaterThanOrEqualTo(millisecond(previous));
            if (millisecond(id) > millisecond(previous)) {
                // H2 and PostgreSQL order UUIDs by their bytes, unsigned: the order of their hex text.
                assertThat(id.toString()).isGreaterThan(previous.toString());
                laterMilliseconds++;
            }
            previous = id;
        }
        assertThat(laterMilliseconds).as("the run spanned several milliseconds").isPositive();
        assertThat(millisecond(previous)).isBetween(from, System.currentTimeMillis());
    }

    @Test
    void idsMadeInOneMillisecondDoNotCountUpFromEachOther() {
        int adjacent = 0;
        UUID previous = TimeOrderedIds.next();
        for (int i = 0; i < 1_000; i++) {
            UUID id = TimeOrderedIds.next();
            if (millisecond(id) == millisecond(previous)
                    && id.getLeastSignificantBits() - previous.getLeastSignificantBits() == 1) {
                adjacent++;
            }
            previous = id;
        }
        assertThat(adjacent).isZero();
    }

    private static long millisecond(UUID id) {
        return id.getMostSignificantBits() >>> 16;
    }
}
