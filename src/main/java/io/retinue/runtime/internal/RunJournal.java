package io.retinue.runtime.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.shared.Timestamps;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The events of each run ({@code runtime.run_event}), numbered from 1: a stream sends them as they are appended and a
 * client that reconnects gets those after the last one it saw. The database is the record; readers on this instance
 * are woken as soon as an event is appended, others find it when they next look.
 */
@Repository
public class RunJournal {

    /** Events after which a run has nothing more to say until someone acts on it. */
    static final Set<String> TERMINAL = Set.of("run.completed", "run.failed", "run.cancelled", "run.timed_out",
            "run.requires_action");

    /** One event of a run. */
    public record RunEvent(int seq, String type, JsonNode data, Instant at) {

        public boolean terminal() {
            return TERMINAL.contains(type);
        }
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Map<UUID, Signal> signals = new ConcurrentHashMap<>();

    RunJournal(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void append(UUID run, int seq, String type, Object data, Instant at) {
        jdbc.sql("INSERT INTO runtime.run_event (run_id, seq, type, data, created_at) VALUES (:run, :seq, :type, :data, :at)")
            .param("run", run)
            .param("seq", seq)
            .param("type", type)
            .param("data", json.writeValueAsString(data))
            .param("at", Timestamps.of(at))
            .update();
        if (TERMINAL.contains(type)) {
            ended(run);
        }
        else {
            signals.computeIfAbsent(run, id -> new Signal()).raise(seq);
        }
    }

    /** The events after {@code seq}, oldest first, at most {@code limit}. */
    public List<RunEvent> after(UUID run, int seq, int limit) {
        return jdbc.sql("SELECT * FROM runtime.run_event WHERE run_id = :run AND seq > :seq ORDER BY seq FETCH FIRST :limit ROWS ONLY")
            .param("run", run)
            .param("seq", seq)
            .param("limit", limit)
            .query((rs, n) -> new RunEvent(rs.getInt("seq"), rs.getString("type"), json.readTree(rs.getString("data")),
                    Timestamps.read(rs, "created_at")))
            .list();
    }

    int lastSeq(UUID run) {
        return jdbc.sql("SELECT COALESCE(MAX(seq), 0) FROM runtime.run_event WHERE run_id = :run")
            .param("run", run)
            .query(Integer.class)
            .single();
    }

    /**
     * Waits until an event after {@code seq} is appended on this instance, or {@code atMost} has passed; the caller
     * reads the journal either way (an event appended elsewhere only shows there).
     */
    public void awaitAfter(UUID run, int seq, Duration atMost) throws InterruptedException {
        Signal signal = signals.computeIfAbsent(run, id -> new Signal());
        signal.await(seq, atMost);
    }

    /** Wakes every reader of a run that has ended and forgets its signal. */
    private void ended(UUID run) {
        Signal signal = signals.remove(run);
        if (signal != null) {
            signal.raise(Integer.MAX_VALUE);
        }
    }

    /** The newest event number appended on this instance, and a condition to wait for a newer one. */
    private static final class Signal {

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition appended = lock.newCondition();
        private int latest;

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
                while (latest <= seq && nanos > 0) {
                    nanos = appended.awaitNanos(nanos);
                }
            }
            finally {
                lock.unlock();
            }
        }
    }
}
