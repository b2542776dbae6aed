package io.retinue.runtime.internal.journal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Writes the text deltas the {@link RunJournal} holds once they are older than {@code flush-interval}, from one
 * virtual thread that looks four times per interval while any run holds deltas, and waits for one to while none does
 * (an idle instance does not wake for it). While it runs the journal holds deltas; on stop it writes all of them and
 * the journal writes deltas as they come again.
 */
@Component
@EnableConfigurationProperties(JournalProperties.class)
class JournalFlusher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JournalFlusher.class);

    private final RunJournal journal;
    private final JournalProperties properties;
    private volatile CountDownLatch stopped;
    private Thread thread;

    JournalFlusher(RunJournal journal, JournalProperties properties) {
        this.journal = journal;
        this.properties = properties;
    }

    @Override
    public void start() {
        if (!properties.flushInterval().isPositive()) {
            return;
        }
        CountDownLatch latch = new CountDownLatch(1);
        stopped = latch;
        journal.holdDeltas();
        thread = Thread.ofVirtual().name("run-journal-flusher").start(() -> flush(latch));
    }

    private void flush(CountDownLatch latch) {
        long tick = Math.max(1, properties.flushInterval().toNanos() / 4);
        try {
            // Not interrupted to stop: an interrupt would close the database connection of a write under way.
            while (latch.getCount() > 0) {
                if (journal.runsHeld() == 0) {
                    journal.awaitHeld();
                    continue;
                }
                if (latch.await(tick, TimeUnit.NANOSECONDS)) {
                    break;
                }
                try {
                    journal.flushDue(properties.flushInterval());
                }
                catch (RuntimeException unexpected) {
                    log.warn("Could not write held text deltas: {}", unexpected.getClass().getSimpleName());
                }
            }
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        CountDownLatch latch = stopped;
        if (latch == null) {
            return;
        }
        latch.countDown();
        journal.wakeFlusher();
        try {
            thread.join(10_000);
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        journal.writeAllAndStopHolding();
        stopped = null;
    }

    @Override
    public boolean isRunning() {
        return stopped != null;
    }

    /** Stop after the run workers (whose runs write what they held as they stop), before the database goes. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 4096;
    }
}
