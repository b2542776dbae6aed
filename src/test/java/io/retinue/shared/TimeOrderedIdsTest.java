package io.retinue.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

    @Test
    void eachIdSortsAfterTheOneBeforeItAsADatabaseComparesThemAndStartsWithItsMillisecond() {
        long from = System.currentTimeMillis();
        Set<UUID> seen = new HashSet<>();
        String previous = "";
        for (int i = 0; i < 20_000; i++) {
            UUID id = TimeOrderedIds.next();
            // H2 and PostgreSQL order UUIDs by their bytes, unsigned: the order of their hex text.
            String text = id.toString();
            assertThat(text).as("id %d", i).isGreaterThan(previous);
            assertThat(id.version()).isEqualTo(7);
            assertThat(seen.add(id)).isTrue();
            previous = text;
        }
        long until = System.currentTimeMillis();
        long millisecond = TimeOrderedIds.next().getMostSignificantBits() >>> 16;
        assertThat(millisecond).isBetween(from, until + 1000);
    }
}
