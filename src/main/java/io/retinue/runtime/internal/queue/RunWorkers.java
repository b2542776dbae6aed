package io.retinue.runtime.internal.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.retinue.runtime.internal.AgentRunner;
import io.retinue.runtime.internal.schedules.Schedules;
import io.retinue.runtime.internal.webhooks.Webhooks;

/**
 * This instance's share of the work on queued runs: {@code workers} virtual threads that claim runs from the
 * {@link RunQueue} (queued ones, or ones whose instance died) and work on them; one, the scout, that looks for such
 * runs for the idle workers; one that renews the leases this instance holds; one that fires due {@link Schedules};
 * and one that makes due {@link Webhooks} deliveries; the last two wait for the next one due rather than looking every
 * moment. On shutdown the runs in progress are left at their last checkpoint with their leases given up, so that the
 * next instance to look goes on with them at once: model calls are stopped at once, tool calls in progress are let
 * finish within {@code drain} (leases renewed meanwhile). Publishes the
 * queue's depth and the age of its oldest run as {@code retinue.runs.queue.depth} and
 * {@code retinue.runs.queue.oldest.seconds}.
 */
@Component
@EnableConfigurationProperties(QueueProperties.class)
class RunWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RunWorkers.class);

    /**
     * How soon a webhook delivery or a schedule another instance made due, or a run it queued, and did not take itself,
     * is found here (an idle instance waits for the next one due, or for this instance to make one).
     */
    private static final java.time.Duration LONGEST_IDLE_WAIT = java.time.Duration.ofSeconds(5);

    private final RunQueue queue;
    private final AgentRunner runner;
    private final Schedules schedules;
    private final Webhooks webhooks;
    private final QueueProperties properties;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    /** Counted down to stop: the threads wait on it rather than being interrupted (see {@link #stop()}). */
    private volatile CountDownLatch stopping = new CountDownLatch(0);
    private volatile RunQueue.Depth depth = new RunQueue.Depth(0, null);

    RunWorkers(RunQueue queue, AgentRunner runner, Schedules schedules, Webhooks webhooks, QueueProperties properties,
            MeterRegistry meters) {
        this.webhooks = webhooks;
        this.queue = queue;
        this.runner = runner;
        this.schedules = schedules;
        this.properties = properties;
        Gauge.builder("retinue.runs.queue.depth", () -> depth.queued())
            .description("Runs waiting in the queue")
            .register(meters);
        Gauge.builder("retinue.runs.queue.oldest.seconds", () -> depth.oldest() == null ? 0
                : Math.max(0, java.time.Duration.between(depth.oldest(), java.time.Instant.now()).toSeconds()))
            .description("How long the oldest queued run has waited")
            .register(meters);
    }

    @Override
    public void start() {
        // Also after a stop: a lifecycle may be stopped and started again (test contexts are paused, for one).
        runner.accept();
        stopping = new CountDownLatch(1);
        running = true;
        for (int i = 0; i < properties.workers(); i++) {
            threads.add(Thread.ofVirtual().name("run-worker-" + i).start(this::work));
        }
        threads.add(Thread.ofVirtual().name("run-scout").start(this::scout));
        threads.add(Thread.ofVirtual().name("run-leases").start(this::renew));
        threads.add(Thread.ofVirtual().name("run-schedules")
            .start(() -> takeDue("fire due schedules", schedules::fireDue, schedules::awaitDue)));
        threads.add(Thread.ofVirtual().name("run-webhooks")
            .start(() -> takeDue("deliver webhooks", webhooks::deliverDue, webhooks::awaitDue)));
    }

    /** Waits until something may be due, or at most the given time. */
    @FunctionalInterface
    private interface AwaitDue {

        void await(java.time.Duration longest) throws InterruptedException;
    }

    /**
     * Takes what is due (fires schedules, starts webhook deliveries), looking again at once while there was some;
     * otherwise waits until something is due or made (an idle instance does not look every moment).
     */
    private void takeDue(String what, IntSupplier due, AwaitDue await) {
        while (running) {
            try {
                if (due.getAsInt() == 0) {
                    await.await(LONGEST_IDLE_WAIT);
                }
            }
            catch (InterruptedException stopped) {
                return;
            }
            catch (RuntimeException failed) {
                log.warn("Could not {}: {}", what, failed.getMessage());
                pause();
            }
        }
    }

    /**
     * Claims and works on runs while there are some, then waits to be woken: by a run accepted on this instance, or by
     * the scout. Idle workers do not look at the database themselves, not even now and then (sixteen of them looking
     * every 30 s were an idle instance's busiest queries); between them they cost the scout's one query per poll.
     */
    private void work() {
        while (running) {
            try {
                Optional<UUID> claimed = queue.claim(properties.lease(), properties.maxPerTenant());
                if (claimed.isPresent()) {
                    runner.workOnClaimed(claimed.get());
                }
                else {
                    queue.awaitWork();
                }
            }
            catch (InterruptedException stopped) {
                return;
            }
            catch (RuntimeException failed) {
                // The database may be away for a moment: keep going, after a pause.
                log.warn("A run worker could not claim or work on a run: {}", failed.getMessage());
                pause();
            }
        }
    }

    /**
     * Looks, once per poll, for runs queued on other instances or left behind by one that died, and wakes workers.
     * While no run is queued or in progress anywhere, no lease can lapse and a run queued on another instance is
     * that instance's to start, so the scout looks only every few seconds: an idle instance stays quiet.
     */
    private void scout() {
        while (running) {
            try {
                int claimable = queue.claimable(properties.workers());
                if (claimable > 0) {
                    queue.wake(claimable, properties.workers());
                }
                long poll = properties.poll().toMillis();
                boolean idle = claimable == 0 && !queue.anyInProgress();
                if (rest(idle ? Math.max(poll, LONGEST_IDLE_WAIT.toMillis()) : poll)) {
                    return;
                }
            }
            catch (RuntimeException failed) {
                log.warn("Could not look for queued runs: {}", failed.getMessage());
                pause();
            }
        }
    }

    /** Renews leases, and now and then refreshes the queue's metrics and ends runs whose approval expired. */
    private void renew() {
        long every = Math.max(100, properties.lease().toMillis() / 3);
        long lastSweep = 0;
        // Until the very end of a stop: the runs this instance winds down stay its own meanwhile.
        while (stopping.getCount() > 0) {
            try {
                for (UUID lost : queue.renew(properties.lease())) {
                    log.warn("Run {} was taken over by another instance; this one stops working on it", lost);
                    runner.lost(lost);
                }
                depth = queue.depth();
                if (System.nanoTime() - lastSweep > java.time.Duration.ofSeconds(5).toNanos()) {
                    runner.expireWaiting(properties.approvalExpiry());
                    lastSweep = System.nanoTime();
                }
                if (rest(every)) {
                    return;
                }
            }
            catch (RuntimeException failed) {
                log.warn("Could not renew run leases: {}", failed.getMessage());
                pause();
            }
        }
    }

    private void pause() {
        rest(properties.poll().toMillis());
    }

    /** Waits {@code millis}, or less if this instance stops meanwhile: answers whether it stops. */
    private boolean rest(long millis) {
        try {
            return stopping.await(millis, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException interrupted) {
            return true;
        }
    }

    /**
     * Stops the threads without interrupting them: each may be inside a database statement, and an interrupt there
     * closes its connection half-way through. Runs in progress are stopped through their calls
     * ({@link AgentRunner#stop()}), resting threads by {@link #stopping}, idle workers by a wake-up each.
     */
    @Override
    public void stop() {
        running = false;
        runner.stop(properties.drain());
        stopping.countDown();
        queue.wake(properties.workers(), properties.workers());
        webhooks.wake();
        schedules.wake();
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            }
            catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stop before the web server and the database go (the default phase stops after them). */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 2048;
    }
}
