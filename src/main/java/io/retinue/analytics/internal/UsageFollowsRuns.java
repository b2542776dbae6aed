package io.retinue.analytics.internal;

import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import io.retinue.runtime.RunEnded;

/**
 * Takes each run's end (or wait for a person) into the usage aggregates, in a transaction of its own after the
 * runtime's committed; the event publication registry hands it over again should this fail or the process stop.
 */
@Component
class UsageFollowsRuns {

    private final UsageLedger ledger;

    UsageFollowsRuns(UsageLedger ledger) {
        this.ledger = ledger;
    }

    @ApplicationModuleListener
    void on(RunEnded ended) {
        ledger.add(ended);
    }
}
