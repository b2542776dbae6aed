package io.retinue.shared;

import java.util.UUID;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochRandomGenerator;

/**
 * Ids for the rows written with every run (runs, sessions, tool calls, webhook deliveries, audit entries): UUIDs that
 * begin with the millisecond they were made (RFC 9562 version 7). A new row's key then goes at the end of every index
 * that holds it; with random UUIDs it went anywhere in indexes that grow with the history, so each insert touched a
 * page that had long left the cache — on H2 read back from its file, on PostgreSQL a page split anywhere and a whole
 * page in the log after each checkpoint. The other 74 bits are drawn afresh from a secure random source for every id
 * (not counted up within a millisecond, as monotonic generators do), so that one id tells nothing of the next.
 */
public final class TimeOrderedIds {

    private static final TimeBasedEpochRandomGenerator GENERATOR = Generators.timeBasedEpochRandomGenerator();

    private TimeOrderedIds() {
    }

    public static UUID next() {
        return GENERATOR.generate();
    }
}
