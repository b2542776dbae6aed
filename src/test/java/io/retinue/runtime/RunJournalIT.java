package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Streamed;
import io.retinue.testing.PlatformIT;
import tools.jackson.databind.node.ObjectNode;

/**
 * Text deltas are streamed from memory before they are written, and written in batches: by the time a run has ended
 * each of its events is in {@code runtime.run_event} once, numbered without a gap.
 */
class RunJournalIT extends PlatformIT {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aStreamGetsTextDeltasBeforeTheyAreWrittenAndAnEndedRunHasEveryEventWrittenOnce() {
        Api owner = newTenant(api, "jn").owner();
        ObjectNode agent = Agents.create(uniqueSlug("journal"), Map.of());
        ((ObjectNode) agent.get("config").get("model")).put("provider", "fake");
        String slug = agent.get("slug").asString();
        assertThat(owner.post("/api/v1/agents", agent).status()).isEqualTo(201);
        assertThat(owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(200);

        // Pieces 40 ms apart; each is looked for in the database as soon as the stream has it.
        Seen seen = new Seen();
        Streamed stream = owner.call("POST", "/api/v1/runs?mode=stream")
            .json(Map.of("agent", slug, "variables", Map.of("company", "ACME"), "input",
                    "[[drip:40]] tell me a story of a good number of words, one piece at a time"))
            .stream(seen::line);

        assertThat(stream.types()).as(stream.toString()).startsWith("run.started").endsWith("step.finished",
                "run.completed");
        long deltas = stream.types().stream().filter("text.delta"::equals).count();
        assertThat(deltas).isGreaterThan(5);
        assertThat(seen.deltas).hasSize((int) deltas);
        assertThat(seen.unwritten).as("deltas the stream had before the database did").isNotEmpty();

        List<Map<String, Object>> rows = jdbc.sql("SELECT seq, type FROM runtime.run_event WHERE run_id = :run ORDER BY seq")
            .param("run", seen.run)
            .query()
            .listOfRows();
        assertThat(rows.stream().map(row -> ((Number) row.get("seq")).intValue()))
            .as("every event written once, numbered without a gap")
            .containsExactlyElementsOf(IntStream.rangeClosed(1, stream.events().size()).boxed().toList());
        assertThat(rows.stream().map(row -> (String) row.get("type"))).containsExactlyElementsOf(stream.types());
        String location = stream.header("Location").orElseThrow();
        assertThat(owner.call("GET", location + "/events?after=0").stream().events()).as("replayed from the database")
            .isEqualTo(stream.events());
    }

    /** Reads a stream line by line and, for each text delta, whether the database had it when the stream did. */
    private final class Seen {

        final List<Integer> deltas = new CopyOnWriteArrayList<>();
        final List<Integer> unwritten = new CopyOnWriteArrayList<>();
        UUID run;
        private int id;
        private String type;

        void line(String line) {
            if (line.startsWith("id: ")) {
                id = Integer.parseInt(line.substring(4));
            }
            else if (line.startsWith("event: ")) {
                type = line.substring(7);
            }
            else if (line.startsWith("data: ") && "run.started".equals(type)) {
                run = UUID.fromString(Api.JSON.readTree(line.substring(6)).get("runId").asString());
            }
            else if (line.isEmpty() && "text.delta".equals(type)) {
                deltas.add(id);
                boolean written = jdbc.sql("SELECT COUNT(*) FROM runtime.run_event WHERE run_id = :run AND seq = :seq")
                    .param("run", run)
                    .param("seq", id)
                    .query(Long.class)
                    .single() > 0;
                if (!written) {
                    unwritten.add(id);
                }
            }
        }
    }
}
