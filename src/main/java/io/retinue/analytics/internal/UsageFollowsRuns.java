package io.retinue.analytics.internal;

import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import io.retinue.runtime.RunEnded;

/**
 * Takes each run's end (or wait for a person) into the usage aggregates once the runtime's transaction committed; the
 * event publication registry hands it over again should this fail or the process stop. No transaction of its own: the
 * ledger adds what several runs report in one.
 */
@Component
class UsageFollowsRuns {

    private final UsageLedger ledger;

    UsageFollowsRuns(UsageLedger ledger) {
        this.ledger = ledger;
    }

    @Async
    @TransactionalEventListener
    void on(RunEnded ended) {
        ledger.add(ended);
    }
}
