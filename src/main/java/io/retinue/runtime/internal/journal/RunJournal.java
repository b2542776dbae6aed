package io.retinue.runtime.internal.journal;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.shared.Timestamps;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The events of each run ({@code runtime.run_event}), numbered from 1: a stream sends them as they are appended and a
 * client that reconnects gets those after the last one it saw. The database is the record; readers on this instance
 * are woken as soon as an event is appended, others find it when they next look.
 * <p>
 * Text deltas, one per piece of a model's answer and most of a run's events, are not written one by one: they are
 * held in memory ({@link DeltaBuffer}), where this instance's readers get them at once, and written in one batch
 * with the run's next other event (in that event's transaction) or by the {@link JournalFlusher} once older than
 * {@code retinue.runtime.journal.flush-interval}. A reader that has caught up with what is committed is answered from
 * memory without asking the database. A hard kill loses at most the deltas of that last interval (their numbers are
 * given out again): they belong to a model call not recorded yet (its step is written after them), which the run,
 * taken over, makes and streams again.
 */
@Repository
public class RunJournal {

    private static final Logger log = LoggerFactory.getLogger(RunJournal.class);

    /** Events after which a run has nothing more to say until someone acts on it. */
    static final Set<String> TERMINAL = Set.of("run.completed", "run.failed", "run.cancelled", "run.timed_out",
            "run.requires_action");

    /** The events held in memory for a while: the many small pieces of a model's answer. */
    static final String DELTA = "text.delta";

    private static final String INSERT = "INSERT INTO runtime.run_event (run_id, seq, type, data, created_at) "
            + "VALUES (?, ?, ?, ?, ?)";

    /** One event of a run. */
    public record RunEvent(int seq, String type, JsonNode data, Instant at) {

        public boolean terminal() {
            return TERMINAL.contains(type);
        }
    }

    /** One row of {@code runtime.run_event}. */
    private record Row(int seq, String type, String data, Instant at) {

        Object[] values(UUID run) {
            return new Object[] { run, seq, type, data, Timestamps.of(at) };
        }
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate batches;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final Map<UUID, Signal> signals = new ConcurrentHashMap<>();
    private final Map<UUID, DeltaBuffer> buffers = new ConcurrentHashMap<>();
    /** Whether deltas are held: while the flusher runs, else they are written as they come. */
    private volatile boolean holding;
    /** Released when a run begins to hold deltas (or the flusher is to stop): the flusher waits on it while idle. */
    private final Semaphore work = new Semaphore(0);

    RunJournal(JdbcClient jdbc, JdbcTemplate batches, TransactionTemplate transactions, JsonMapper json) {
        this.jdbc = jdbc;
        this.batches = batches;
        this.transactions = transactions;
        this.json = json;
    }

    public void append(UUID run, int seq, String type, Object data, Instant at) {
        String text = json.writeValueAsString(data);
        boolean inTransaction = TransactionSynchronizationManager.isSynchronizationActive();
        if (DELTA.equals(type) && holding && !inTransaction) {
            hold(run, new DeltaBuffer.Held(new RunEvent(seq, type, json.readTree(text), at), text, System.nanoTime()));
            signals.computeIfAbsent(run, id -> new Signal()).raise(seq);
            return;
        }
        DeltaBuffer buffer = buffers.get(run);
        if (!inTransaction && buffer != null && buffer.holdsAny()) {
            // The held deltas go first, with this event or not at all.
            transactions.executeWithoutResult(tx -> write(run, new Row(seq, type, text, at)));
        }
        else {
            write(run, new Row(seq, type, text, at));
        }
    }

    private void hold(UUID run, DeltaBuffer.Held delta) {
        // The previous event was committed before this one was appended: the run's writer appends one at a time.
        boolean[] made = { false };
        while (!buffers.computeIfAbsent(run, id -> {
            made[0] = true;
            return new DeltaBuffer(delta.seq() - 1);
        }).hold(delta)) {
            Thread.onSpinWait(); // dropped meanwhile, and already forgotten: the next look makes a new one
        }
        if (made[0]) {
            work.release();
        }
    }

    /**
     * Waits until a run holds deltas, or {@link #wakeFlusher} is called — at once when one began to since the last
     * wait. The flusher waits here while nothing is held instead of looking on a timer.
     */
    void awaitHeld() throws InterruptedException {
        work.acquire();
        work.drainPermits();
    }

    /** Lets a flusher waiting in {@link #awaitHeld} go (it is to stop). */
    void wakeFlusher() {
        work.release();
    }

    /** Writes an event after the deltas held for its run, in the caller's transaction if there is one. */
    private void write(UUID run, Row event) {
        DeltaBuffer buffer = buffers.get(run);
        List<DeltaBuffer.Held> deltas = buffer == null ? List.of() : buffer.takeBefore(event.seq());
        Settlement settlement = new Settlement(run, buffer, event.seq(), TERMINAL.contains(event.type()), deltas);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            // Settled once the transaction has completed: only then can readers see the event, or the deltas be lost.
            TransactionSynchronizationManager.registerSynchronization(settlement);
            insert(run, deltas, event);
            settlement.written = true;
            return;
        }
        boolean written = false;
        try {
            insert(run, deltas, event);
            written = true;
        }
        finally {
            settle(settlement, written);
        }
    }

    /** Inserts deltas and then an event (either may be missing), several as one batch. */
    private void insert(UUID run, List<DeltaBuffer.Held> deltas, Row event) {
        if (deltas.isEmpty() && event != null) {
            jdbc.sql(INSERT).params(event.values(run)).update();
            return;
        }
        List<Object[]> rows = new ArrayList<>(deltas.size() + 1);
        for (DeltaBuffer.Held delta : deltas) {
            rows.add(new Row(delta.seq(), DELTA, delta.data(), delta.event().at()).values(run));
        }
        if (event != null) {
            rows.add(event.values(run));
        }
        batches.batchUpdate(INSERT, rows);
    }

    /** A write's transaction has completed: its event is visible now (readers are woken), or its deltas held again. */
    private void settle(Settlement write, boolean committed) {
        if (write.buffer != null) {
            write.buffer.settled(write.seq, write.deltas, committed);
        }
        if (!committed) {
            return;
        }
        if (write.terminal) {
            DeltaBuffer buffer = buffers.get(write.run);
            if (buffer != null) {
                buffer.release();
                buffer.dropIfDone(() -> buffers.remove(write.run, buffer));
            }
            ended(write.run);
        }
        else {
            signals.computeIfAbsent(write.run, id -> new Signal()).raise(write.seq);
        }
    }

    /** The events after {@code seq}, oldest first, at most {@code limit}. */
    public List<RunEvent> after(UUID run, int seq, int limit) {
        DeltaBuffer buffer = buffers.get(run);
        // Memory is looked at before the database: a delta written in between then shows twice, never not at all.
        DeltaBuffer.View held = buffer == null ? null : buffer.view();
        if (held != null && seq >= held.committed()) {
            // Whatever this instance's run has journalled after what is committed, it holds.
            return held.after(seq, limit);
        }
        return merged(stored(run, seq, limit), held, seq, limit);
    }

    /**
     * The events after {@code seq} as committed, whatever this instance still holds in memory: for a reader who saw
     * the run end, whose last events were committed with its end and may not be settled in memory yet.
     */
    public List<RunEvent> committedAfter(UUID run, int seq, int limit) {
        DeltaBuffer buffer = buffers.get(run);
        DeltaBuffer.View held = buffer == null ? null : buffer.view();
        return merged(stored(run, seq, limit), held, seq, limit);
    }

    private List<RunEvent> stored(UUID run, int seq, int limit) {
        return jdbc.sql("SELECT * FROM runtime.run_event WHERE run_id = :run AND seq > :seq ORDER BY seq FETCH FIRST :limit ROWS ONLY")
            .param("run", run)
            .param("seq", seq)
            .param("limit", limit)
            .query((rs, n) -> new RunEvent(rs.getInt("seq"), rs.getString("type"), json.readTree(rs.getString("data")),
                    Timestamps.read(rs, "created_at")))
            .list();
    }

    private static List<RunEvent> merged(List<RunEvent> stored, DeltaBuffer.View held, int seq, int limit) {
        if (held == null || held.events().isEmpty()) {
            return stored;
        }
        TreeMap<Integer, RunEvent> merged = new TreeMap<>();
        stored.forEach(event -> merged.put(event.seq(), event));
        held.after(seq, limit).forEach(event -> merged.putIfAbsent(event.seq(), event));
        return merged.values().stream().limit(limit).toList();
    }

    /** The number of the run's last event, whether written or held; 0 before the first. */
    public int lastSeq(UUID run) {
        DeltaBuffer buffer = buffers.get(run);
        int held = buffer == null ? 0 : buffer.lastSeq();
        int stored = jdbc.sql("SELECT COALESCE(MAX(seq), 0) FROM runtime.run_event WHERE run_id = :run")
            .param("run", run)
            .query(Integer.class)
            .single();
        return Math.max(stored, held);
    }

    /**
     * Waits until an event after {@code seq} is appended on this instance, or {@code atMost} has passed; the caller
     * reads the journal either way (an event appended elsewhere only shows there).
     */
    public void awaitAfter(UUID run, int seq, Duration atMost) throws InterruptedException {
        Signal signal = signals.computeIfAbsent(run, id -> new Signal());
        signal.await(seq, atMost);
    }

    /** Holds text deltas from now on (the flusher has started). */
    void holdDeltas() {
        holding = true;
    }

    /** Writes the held deltas of each run whose oldest is older than {@code age}, and forgets runs done with. */
    void flushDue(Duration age) {
        long dueBefore = System.nanoTime() - age.toNanos();
        buffers.forEach((run, buffer) -> flush(run, buffer, dueBefore, false));
    }

    /** Writes every held delta and holds none from now on (the flusher stops); forgets every run. */
    void writeAllAndStopHolding() {
        holding = false;
        long now = System.nanoTime();
        buffers.forEach((run, buffer) -> {
            buffer.release();
            flush(run, buffer, now, true);
        });
        buffers.forEach((run, buffer) -> {
            int lost = buffer.drop(() -> buffers.remove(run, buffer));
            if (lost > 0) {
                log.warn("{} text deltas of run {} could not be written before stopping", lost, run);
            }
        });
    }

    /**
     * This instance stops working on the run (it ended, or is left for another instance to go on with): writes what
     * it holds and forgets it, so that its events are all in the database for whoever goes on.
     */
    public void released(UUID run) {
        DeltaBuffer buffer = buffers.get(run);
        if (buffer != null) {
            buffer.release();
            flush(run, buffer, System.nanoTime(), true);
        }
    }

    /** How many runs have deltas held or are followed from memory (for tests). */
    int runsHeld() {
        return buffers.size();
    }

    /** Writes the run's held deltas that are due, in one batch and a transaction of their own. */
    private void flush(UUID run, DeltaBuffer buffer, long dueBefore, boolean now) {
        List<DeltaBuffer.Held> batch = buffer.takeDue(dueBefore, now);
        if (!batch.isEmpty()) {
            DeltaBuffer.Outcome outcome = DeltaBuffer.Outcome.FAILED;
            RuntimeException failure = null;
            boolean firstFailure = false;
            try {
                transactions.executeWithoutResult(tx -> insert(run, batch, null));
                outcome = DeltaBuffer.Outcome.WRITTEN;
            }
            catch (DataIntegrityViolationException refused) {
                // The run is gone, or another instance took it over and numbered its own events: these have no place.
                outcome = DeltaBuffer.Outcome.REFUSED;
                failure = refused;
            }
            catch (RuntimeException failed) {
                failure = failed;
            }
            finally {
                firstFailure = buffer.flushed(batch, outcome);
            }
            if (outcome == DeltaBuffer.Outcome.REFUSED) {
                log.warn("Dropped {} text deltas of run {} that the journal refused: {}", batch.size(), run,
                        reason(failure));
            }
            else if (firstFailure) {
                log.warn("Could not write the held text deltas of run {}, trying again: {}", run, reason(failure));
            }
        }
        buffer.dropIfDone(() -> buffers.remove(run, buffer));
    }

    /** Why a write failed, without the driver's message: that may quote the statement with the events' contents. */
    private static String reason(RuntimeException failed) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(failed);
        return failed.getClass().getSimpleName()
                + (cause instanceof SQLException sql ? " (SQL state " + sql.getSQLState() + ")" : "");
    }

    /**
     * Wakes every reader waiting for a newer event: this instance is shutting down. The signals go too, so that a
     * lifecycle started again (a paused test context) waits on fresh ones.
     */
    void wakeFollowers() {
        for (UUID run : List.copyOf(signals.keySet())) {
            Signal signal = signals.remove(run);
            if (signal != null) {
                signal.close();
            }
        }
    }

    /** Wakes every reader of a run that has ended and forgets its signal. */
    private void ended(UUID run) {
        Signal signal = signals.remove(run);
        if (signal != null) {
            signal.raise(Integer.MAX_VALUE);
        }
    }

    /** One write of an event (and the deltas before it), settled once its transaction has completed. */
    private final class Settlement implements TransactionSynchronization {

        final UUID run;
        final DeltaBuffer buffer;
        final int seq;
        final boolean terminal;
        final List<DeltaBuffer.Held> deltas;
        volatile boolean written;

        Settlement(UUID run, DeltaBuffer buffer, int seq, boolean terminal, List<DeltaBuffer.Held> deltas) {
            this.run = run;
            this.buffer = buffer;
            this.seq = seq;
            this.terminal = terminal;
            this.deltas = deltas;
        }

        @Override
        public void afterCompletion(int status) {
            settle(this, status == STATUS_COMMITTED && written);
        }
    }

    /** The newest event number appended on this instance, and a condition to wait for a newer one. */
    private static final class Signal {

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition appended = lock.newCondition();
        private int latest;
        private boolean closed;

        /** No more waiting on this one: readers return at once. */
        void close() {
            lock.lock();
            try {
                closed = true;
                appended.signalAll();
            }
            finally {
                lock.unlock();
            }
        }

        void raise(int seq) {
            lock.lock();
            try {
                latest = Math.max(latest, seq);
                appended.signalAll();
            }
            finally {
                lock.unlock();
            }
        }

        void await(int seq, Duration atMost) throws InterruptedException {
            long nanos = atMost.toNanos();
            lock.lock();
            try {
                while (latest <= seq && !closed && nanos > 0) {
                    nanos = appended.awaitNanos(nanos);
                }
            }
            finally {
                lock.unlock();
            }
        }
    }
}
