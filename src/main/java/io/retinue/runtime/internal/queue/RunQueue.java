package io.retinue.runtime.internal.queue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.retinue.runtime.internal.RunLedger;
import io.retinue.shared.DatabaseUnavailable;
import io.retinue.shared.Timestamps;

/**
 * The durable run queue, in the runtime's own table: a run waits {@code queued}; the instance that works on it —
 * a worker that claimed it, or the request thread of a run waited for — holds a lease on it and renews it while it
 * works. A run whose lease expired (its instance died) is claimed again by any instance, which goes on from the run's
 * checkpoint. Claims are conditional updates, so two instances never both win one run.
 */
@Repository
public class RunQueue {

    /**
     * What any worker may take at {@code :now}: a queued run, or one whose lease lapsed (its instance died). Said as one
     * IN on status so that the run_queue index finds these few among all the ended runs: written as {@code status =
     * 'queued' OR (status IN (…) AND …)} H2 read the whole table on every look, a scan that grew with the history.
     */
    private static final String CLAIMABLE = """
            (status IN ('queued', 'running', 'cancelling')
               AND (status = 'queued' OR lease_expires_at IS NULL OR lease_expires_at < :now)
               AND tenant_id NOT IN (SELECT tenant_id FROM runtime.suspended_tenant))""";

    /**
     * The runs {@code :owner} holds. Only a run in progress holds a lease (its end gives the lease up in the same
     * update), so they are found through the run_queue index among the few in progress, not an index of their own
     * that every run's start and end would write.
     */
    private static final String HELD_BY_OWNER = "status IN ('running', 'cancelling') AND lease_owner = :owner";

    private final JdbcClient jdbc;
    private final Clock clock;
    private final String owner;
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();
    /**
     * Runs let go of while the database could not be reached: their leases are given up once it can be (by the
     * renewal), so that they are claimable at once rather than after the lease lapses.
     */
    private final Set<UUID> releasing = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.Semaphore work = new java.util.concurrent.Semaphore(0);
    /**
     * One claim at a time on this instance. A claim counts each tenant's runs in progress and then takes one: two
     * statements, so workers that finished together each counted before the others had claimed, and a tenant held
     * nine runs of eight. Between instances a tenant may still go over by one per instance claiming at that moment.
     */
    private final ReentrantLock claiming = new ReentrantLock();

    RunQueue(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.owner = instanceName();
    }

    private static String instanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (java.io.IOException unknown) {
            host = "unknown";
        }
        String name = host + "/" + ManagementFactory.getRuntimeMXBean().getPid() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
        return name.length() <= 100 ? name : name.substring(name.length() - 100);
    }

    /** A lease on a run, as this instance takes it. */
    public record Lease(String owner, Instant expiresAt) {
    }

    /** A lease for a run this instance starts at once, to be written with the run itself ({@link RunLedger#start}). */
    public Lease lease(Duration length) {
        return new Lease(owner, now().plus(length));
    }

    /** Takes a lease on a run this instance is about to work on (a decision acted on at once). */
    public void hold(UUID run, Duration lease) {
        jdbc.sql("UPDATE runtime.run SET lease_owner = :owner, lease_expires_at = :expires, attempts = attempts + 1 "
                + "WHERE id = :id")
            .param("owner", owner)
            .param("expires", Timestamps.of(now().plus(lease)))
            .param("id", run)
            .update();
        held(run);
    }

    /** Renews the lease of a run from now on: one taken by {@link #hold}, or written with the run. */
    public void held(UUID run) {
        // Counted as held once others can see it: a lease taken in a transaction that has not committed yet is not
        // visible to the renewal, which would take it for lost.
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    held.add(run);
                }
            });
        }
        else {
            held.add(run);
        }
    }

    /** Puts a run (back) in the queue: accepted async, or going on in the background after a decision. */
    public void enqueue(UUID run) {
        jdbc.sql("UPDATE runtime.run SET status = 'queued', queued_at = :now, lease_owner = NULL, "
                + "lease_expires_at = NULL WHERE id = :id")
            .param("now", Timestamps.of(now()))
            .param("id", run)
            .update();
    }

    /**
     * Claims the next run to work on: a queued one, or one whose lease expired — oldest first, but skipping tenants
     * that already have {@code maxPerTenant} runs in progress and preferring the tenant with the fewest, so one
     * tenant's backlog cannot starve the others.
     */
    Optional<UUID> claim(Duration lease, int maxPerTenant) {
        claiming.lock();
        try {
            return claimNext(lease, maxPerTenant);
        }
        finally {
            claiming.unlock();
        }
    }

    private Optional<UUID> claimNext(Duration lease, int maxPerTenant) {
        Instant now = now();
        record Candidate(UUID id, String tenant) {
        }
        List<Candidate> candidates = jdbc.sql("SELECT id, tenant_id FROM runtime.run WHERE " + CLAIMABLE
                + " ORDER BY COALESCE(queued_at, started_at), id FETCH FIRST 64 ROWS ONLY")
            .param("now", Timestamps.of(now))
            .query((rs, n) -> new Candidate(rs.getObject("id", UUID.class), rs.getString("tenant_id")))
            .list();
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Integer> busy = new HashMap<>();
        jdbc.sql("""
                SELECT tenant_id, COUNT(*) AS n FROM runtime.run
                WHERE status IN ('running', 'cancelling') AND lease_expires_at >= :now GROUP BY tenant_id""")
            .param("now", Timestamps.of(now))
            .query((rs, n) -> Map.entry(rs.getString("tenant_id"), rs.getInt("n")))
            .list()
            .forEach(entry -> busy.put(entry.getKey(), entry.getValue()));
        List<Candidate> fair = new ArrayList<>(candidates.stream()
            // A run this instance still works on is not claimed again: its lease lapsed only because the database
            // was away for longer than a lease, and the renewal takes it up again.
            .filter(candidate -> !held.contains(candidate.id()))
            .filter(candidate -> busy.getOrDefault(candidate.tenant(), 0) < maxPerTenant)
            .toList());
        // Stable: within a tenant (and between tenants equally busy) the queue order stays.
        fair.sort(java.util.Comparator.comparingInt(candidate -> busy.getOrDefault(candidate.tenant(), 0)));
        for (Candidate candidate : fair) {
            int won = jdbc.sql("""
                    UPDATE runtime.run SET status = CASE WHEN status = 'cancelling' THEN 'cancelling' ELSE 'running' END,
                        lease_owner = :owner, lease_expires_at = :expires, attempts = attempts + 1,
                        began_at = COALESCE(began_at, :now)
                    WHERE id = :id AND """ + CLAIMABLE)
                .param("owner", owner)
                .param("expires", Timestamps.of(now.plus(lease)))
                .param("id", candidate.id())
                .param("now", Timestamps.of(now))
                .update();
            if (won == 1) {
                releasing.remove(candidate.id());
                held.add(candidate.id());
                return Optional.of(candidate.id());
            }
        }
        return Optional.empty();
    }

    /** Renews the leases this instance holds; answers the runs whose lease it lost (another instance took them). */
    List<UUID> renew(Duration lease) {
        releaseLeftOver();
        if (held.isEmpty()) {
            return List.of();
        }
        // Two statements however many runs are held: a renewal that took longer than a lease would lose them all.
        jdbc.sql("UPDATE runtime.run SET lease_expires_at = :expires WHERE " + HELD_BY_OWNER)
            .param("expires", Timestamps.of(now().plus(lease)))
            .param("owner", owner)
            .update();
        List<UUID> before = List.copyOf(held);
        Set<UUID> still = new java.util.HashSet<>(jdbc.sql("SELECT id FROM runtime.run WHERE " + HELD_BY_OWNER)
            .param("owner", owner)
            .query((rs, n) -> rs.getObject("id", UUID.class))
            .list());
        List<UUID> missing = before.stream().filter(run -> !still.contains(run)).toList();
        if (missing.isEmpty()) {
            return List.of();
        }
        // Lost only to another owner: a run that ended or was let go of just now has no owner (its worker is still
        // on its way out and forgets it in a moment).
        Set<UUID> takenOver = new java.util.HashSet<>(jdbc.sql(
                "SELECT id FROM runtime.run WHERE id IN (:ids) AND lease_owner IS NOT NULL AND lease_owner <> :owner")
            .param("ids", missing)
            .param("owner", owner)
            .query((rs, n) -> rs.getObject("id", UUID.class))
            .list());
        List<UUID> lost = new ArrayList<>();
        for (UUID run : missing) {
            // One released meanwhile is no longer held, so it is not reported lost.
            if (takenOver.contains(run) && held.remove(run)) {
                lost.add(run);
            }
        }
        return lost;
    }

    /** Stops renewing a run's lease: one the run's end gave up with it ({@link RunLedger#finish}). */
    public void forget(UUID run) {
        held.remove(run);
    }

    /** Gives up the lease on a run: it ended, waits for a person, or this instance stops (then it is claimable at once). */
    public void release(UUID run) {
        held.remove(run);
        try {
            giveUp(run);
        }
        catch (RuntimeException failed) {
            if (!DatabaseUnavailable.causedBy(failed)) {
                throw failed;
            }
            releasing.add(run);
        }
    }

    private void giveUp(UUID run) {
        jdbc.sql("UPDATE runtime.run SET lease_owner = NULL, lease_expires_at = NULL WHERE id = :id AND lease_owner = :owner")
            .param("id", run)
            .param("owner", owner)
            .update();
    }

    /**
     * Gives up the leases of runs let go of while the database was away. Under the claim's lock: a run claimed again
     * meanwhile (its lease lapsed) is no longer one to give up, and a release racing that claim would drop its lease.
     */
    private void releaseLeftOver() {
        if (releasing.isEmpty()) {
            return;
        }
        claiming.lock();
        try {
            for (UUID run : List.copyOf(releasing)) {
                giveUp(run);
                releasing.remove(run);
            }
        }
        finally {
            claiming.unlock();
        }
    }

    /** Tells this instance's idle workers that a run was queued. */
    public void wake() {
        work.release();
    }

    /** Wakes up to {@code runs} idle workers, never leaving more wake-ups waiting than there are {@code workers}. */
    void wake(int runs, int workers) {
        int more = Math.min(runs, workers) - work.availablePermits();
        if (more > 0) {
            work.release(more);
        }
    }

    /** How many runs (at most {@code atMost}) any worker could take now: queued ones and ones whose lease lapsed. */
    int claimable(int atMost) {
        Instant now = now();
        return jdbc.sql("SELECT id FROM runtime.run WHERE " + CLAIMABLE + " FETCH FIRST :limit ROWS ONLY")
            .param("now", Timestamps.of(now))
            .param("limit", atMost)
            .query((rs, n) -> n)
            .list()
            .size();
    }

    /** Whether any instance works on a run now (a lease that could lapse, if its instance died). */
    boolean anyInProgress() {
        return jdbc.sql("SELECT id FROM runtime.run WHERE status IN ('running', 'cancelling') FETCH FIRST 1 ROWS ONLY")
            .query((rs, n) -> n)
            .optional()
            .isPresent();
    }

    /**
     * Waits until a run is queued on this instance, or the scout found claimable ones (queued elsewhere, or left by an
     * instance that died), or this instance stops.
     */
    void awaitWork() throws InterruptedException {
        work.acquire();
    }

    /** How many runs wait in the queue, and since when the oldest waits. */
    public record Depth(long queued, Instant oldest) {
    }

    public Depth depth() {
        return jdbc.sql("SELECT COUNT(*) AS n, MIN(queued_at) AS oldest FROM runtime.run WHERE status = 'queued'")
            .query((rs, n) -> new Depth(rs.getLong("n"), Timestamps.read(rs, "oldest")))
            .single();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
