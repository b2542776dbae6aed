package io.retinue.runtime.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * How a thread that works through due rows (webhook deliveries, schedules) waits while none is due: until the next
 * one's due time, or until this instance made one due sooner and rang — rather than looking every moment, a query
 * each time on every idle instance. A ring before the wait began ends it at once: none is lost.
 */
public final class Doorbell {

    /** While one is due but none could be taken (another instance took it, or every slot is busy). */
    private static final long DUE_BUT_TAKEN_MILLIS = 250;

    private final Semaphore rung = new Semaphore(0);

    /** Ends the wait under way, or the next one, at once. */
    public void ring() {
        if (rung.availablePermits() == 0) {
            rung.release();
        }
    }

    /** Rings once the transaction under way has committed (at once outside one): what it wrote is then there to see. */
    public void ringAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

                @Override
                public void afterCommit() {
                    ring();
                }
            });
        }
        else {
            ring();
        }
    }

    /**
     * Waits until {@code next} (nothing is due when null), a ring, or {@code longest} — what other instances make due
     * they mostly take themselves, and this instance finds the rest within that.
     */
    public void await(Instant next, Instant now, Duration longest) throws InterruptedException {
        long millis = longest.toMillis();
        if (next != null) {
            long until = Duration.between(now, next).toMillis();
            millis = Math.min(millis, until <= 0 ? DUE_BUT_TAKEN_MILLIS : until + 1);
        }
        rung.tryAcquire(millis, TimeUnit.MILLISECONDS);
        rung.drainPermits();
    }
}
