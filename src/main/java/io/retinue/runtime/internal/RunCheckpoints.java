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
 * whom they ran included, since the tools they call are permitted to that caller, not to whoever decides.
 */
@Repository
class RunCheckpoints {

    /** A stored checkpoint. */
    record Saved(Caller caller, Conversation.Checkpoint conversation) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    RunCheckpoints(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void save(UUID run, Caller caller, Conversation.Checkpoint checkpoint, Instant at) {
        String state = json.writeValueAsString(new Saved(caller, checkpoint));
        if (jdbc.sql("UPDATE runtime.run_checkpoint SET state = :state, updated_at = :at WHERE run_id = :run")
            .param("state", state)
            .param("at", Timestamps.of(at))
            .param("run", run)
            .update() == 0) {
            jdbc.sql("INSERT INTO runtime.run_checkpoint (run_id, state, updated_at) VALUES (:run, :state, :at)")
                .param("state", state)
                .param("at", Timestamps.of(at))
                .param("run", run)
                .update();
        }
    }

    Optional<Saved> find(UUID run) {
        return jdbc.sql("SELECT state FROM runtime.run_checkpoint WHERE run_id = :run")
            .param("run", run)
            .query(String.class)
            .optional()
            .map(state -> json.readValue(state, Saved.class));
    }

    void delete(UUID run) {
        jdbc.sql("DELETE FROM runtime.run_checkpoint WHERE run_id = :run").param("run", run).update();
    }
}
