package io.retinue.runtime.internal;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.retinue.shared.Caller;
import io.retinue.shared.Timestamps;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where waiting runs stopped ({@code runtime.run_checkpoint}), so that they go on from there, on any instance — as
 * whom they ran included, since the tools they call are permitted to that caller, not to whoever decides. What a run
 * started at once starts from is kept with the run's own row ({@code runtime.run.start_state}) until it ends: most
 * runs never have a checkpoint, and a row written and deleted again for each of them cost every run two statements.
 * A queued run's start is a checkpoint row as before, which any instance, of this version or the one before it (in a
 * rolling upgrade), can go on from.
 */
@Repository
class RunCheckpoints {

    /**
     * A stored checkpoint: as whom the run runs, and either the conversation so far or — for a run still queued — the
     * instructions and input it starts from; plus a person's decision it is to go on with, once taken.
     */
    record Saved(Caller caller, Conversation.Checkpoint conversation, Start start, AgentLoop.Decision decision) {
    }

    /** What a queued run starts from. */
    record Start(String system, String input) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    RunCheckpoints(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** What a new run started at once starts from, as its row keeps it ({@link RunLedger#start}). */
    String startState(Saved saved) {
        return json.writeValueAsString(saved);
    }

    /**
     * Keeps what a new queued run starts from, or the first conversation of a run started at once: it has no
     * checkpoint yet, so no update is tried first.
     */
    void first(UUID run, Saved saved, Instant at) {
        insert(run, json.writeValueAsString(saved), at);
    }

    /** Keeps where a run in progress is (after every model answer and every round of tool calls, and a decision). */
    void save(UUID run, Saved saved, Instant at) {
        String state = json.writeValueAsString(saved);
        if (jdbc.sql("UPDATE runtime.run_checkpoint SET state = :state, updated_at = :at WHERE run_id = :run")
            .param("state", state)
            .param("at", Timestamps.of(at))
            .param("run", run)
            .update() == 0) {
            insert(run, state, at);
        }
    }

    private void insert(UUID run, String state, Instant at) {
        jdbc.sql("INSERT INTO runtime.run_checkpoint (run_id, state, updated_at) VALUES (:run, :state, :at)")
            .param("state", state)
            .param("at", Timestamps.of(at))
            .param("run", run)
            .update();
    }

    /** The run's checkpoint, or what it starts from while it has none. */
    Optional<Saved> find(UUID run) {
        return jdbc.sql("SELECT state FROM runtime.run_checkpoint WHERE run_id = :run")
            .param("run", run)
            .query(String.class)
            .optional()
            .or(() -> jdbc.sql("SELECT start_state FROM runtime.run WHERE id = :run AND start_state IS NOT NULL")
                .param("run", run)
                .query(String.class)
                .optional())
            .map(state -> json.readValue(state, Saved.class));
    }

    void delete(UUID run) {
        jdbc.sql("DELETE FROM runtime.run_checkpoint WHERE run_id = :run").param("run", run).update();
    }
}
