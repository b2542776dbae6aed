package io.retinue.runtime.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.testing.StatementLog;
import tools.jackson.databind.json.JsonMapper;

/**
 * The journal holds a run's text deltas in memory, where readers get them at once, and writes them in one batch with
 * the run's next other event or once they are due; on an in-memory H2 database that counts the statements it is sent.
 */
class RunJournalTest {

    private List<String> statements;
    private final UUID run = UUID.randomUUID();
    private final Instant at = Instant.parse("2025-06-01T12:00:00Z");
    private JdbcClient jdbc;
    private TransactionTemplate transactions;
    private RunJournal journal;

    @BeforeEach
    void journal() {
        StatementLog dataSource = new StatementLog(new DriverManagerDataSource("jdbc:h2:mem:journal-"
                + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", ""));
        statements = dataSource.statements();
        jdbc = JdbcClient.create(dataSource);
        jdbc.sql("CREATE SCHEMA runtime").update();
        jdbc.sql("CREATE TABLE runtime.run_event (run_id UUID NOT NULL, seq INTEGER NOT NULL, type VARCHAR(40) NOT NULL, "
                + "data TEXT NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (run_id, seq))")
            .update();
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        journal = new RunJournal(jdbc, new JdbcTemplate(dataSource), transactions, JsonMapper.builder().build());
        journal.holdDeltas();
    }

    @AfterEach
    void shutdown() {
        jdbc.sql("SHUTDOWN").update();
    }

    @Test
    void deltasReachReadersAtOnceAndAreWrittenInOneBatchBeforeTheRunsNextEvent() {
        journal.append(run, 1, "run.started", Map.of("runId", run), at);
        deltas(2, 6);

        assertThat(stored()).as("only the start is written").containsExactly(1);
        statements.clear();
        assertThat(seqs(journal.after(run, 0, 100))).as("a reader from the start: the database and memory")
            .containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(selects()).isEqualTo(1);
        statements.clear();
        assertThat(seqs(journal.after(run, 1, 100))).containsExactly(2, 3, 4, 5, 6);
        assertThat(journal.after(run, 6, 100)).isEmpty();
        assertThat(journal.after(run, 3, 2).getFirst().data().get("text").asString()).isEqualTo("piece 4");
        assertThat(selects()).as("a reader that has caught up with what is committed asks memory alone").isZero();
        assertThat(journal.lastSeq(run)).isEqualTo(6);

        statements.clear();
        transactions.executeWithoutResult(tx -> journal.append(run, 7, "step.finished", Map.of("step", 1), at));
        assertThat(stored()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(inserts()).as("the deltas and the step in one batch").isEqualTo(1);

        deltas(8, 9);
        transactions.executeWithoutResult(tx -> journal.append(run, 10, "run.completed", Map.of("status", "done"), at));
        assertThat(stored()).containsExactlyElementsOf(IntStream.rangeClosed(1, 10).boxed().toList());
        assertThat(journal.runsHeld()).as("nothing of an ended run is kept").isZero();
        assertThat(seqs(journal.after(run, 0, 100))).hasSize(10);
    }

    @Test
    void deltasATransactionTookAreHeldAgainWhenItRollsBackAndWrittenLater() {
        journal.append(run, 1, "run.started", Map.of("runId", run), at);
        deltas(2, 4);

        assertThatThrownBy(() -> transactions.executeWithoutResult(tx -> {
            journal.append(run, 5, "step.finished", Map.of("step", 1), at);
            assertThat(seqs(journal.after(run, 1, 100))).as("being written, still there for readers")
                .containsExactly(2, 3, 4);
            throw new IllegalStateException("the checkpoint could not be saved");
        })).hasMessageContaining("checkpoint");

        assertThat(stored()).as("rolled back with the step").containsExactly(1);
        statements.clear();
        assertThat(seqs(journal.after(run, 1, 100))).as("held again").containsExactly(2, 3, 4);
        assertThat(journal.after(run, 4, 100)).as("the rolled-back step is nowhere").isEmpty();
        assertThat(selects()).isZero();
        assertThat(journal.lastSeq(run)).isEqualTo(4);

        transactions.executeWithoutResult(tx -> journal.append(run, 5, "run.failed", Map.of("status", "failed"), at));
        assertThat(stored()).containsExactly(1, 2, 3, 4, 5);
        assertThat(journal.runsHeld()).isZero();
    }

    @Test
    void dueDeltasAreWrittenInOneBatchAndKeptWhileTheDatabaseIsAway() {
        journal.append(run, 1, "run.started", Map.of("runId", run), at);
        deltas(2, 4);

        journal.flushDue(Duration.ofMinutes(1));
        assertThat(stored()).as("not due yet").containsExactly(1);

        jdbc.sql("ALTER TABLE runtime.run_event RENAME TO run_event_away").update();
        journal.flushDue(Duration.ZERO);
        assertThat(seqs(journal.after(run, 1, 100))).as("kept after a failed write").containsExactly(2, 3, 4);
        jdbc.sql("ALTER TABLE runtime.run_event_away RENAME TO run_event").update();

        statements.clear();
        journal.flushDue(Duration.ZERO);
        assertThat(stored()).containsExactly(1, 2, 3, 4);
        assertThat(inserts()).isEqualTo(1);
        statements.clear();
        assertThat(journal.after(run, 4, 100)).isEmpty();
        assertThat(selects()).isZero();
        assertThat(seqs(journal.after(run, 0, 2))).as("a reader behind reads the database, a page at a time")
            .containsExactly(1, 2);
        assertThat(selects()).isEqualTo(1);
    }

    @Test
    void aRunItsWriterLetsGoOfIsWrittenAndForgottenAndStoppingWritesEverything() {
        journal.append(run, 1, "run.started", Map.of("runId", run), at);
        deltas(2, 3);
        journal.released(run);
        assertThat(stored()).containsExactly(1, 2, 3);
        assertThat(journal.runsHeld()).isZero();

        deltas(4, 5);
        journal.writeAllAndStopHolding();
        assertThat(stored()).containsExactly(1, 2, 3, 4, 5);
        assertThat(journal.runsHeld()).isZero();
        deltas(6, 6);
        assertThat(stored()).as("once stopped, deltas are written as they come").contains(6);
        assertThat(journal.runsHeld()).isZero();
    }

    @Test
    void theFlusherWritesDeltasOnceTheyAreDueAndEverythingWhenItStops() {
        JournalFlusher flusher = new JournalFlusher(journal, new JournalProperties(Duration.ofMillis(50)));
        flusher.start();
        try {
            journal.append(run, 1, "run.started", Map.of("runId", run), at);
            deltas(2, 4);
            await().atMost(Duration.ofSeconds(5)).until(() -> stored().size() == 4);
            deltas(5, 6);
        }
        finally {
            flusher.stop();
        }
        assertThat(stored()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(journal.runsHeld()).isZero();
    }

    private void deltas(int from, int to) {
        for (int seq = from; seq <= to; seq++) {
            journal.append(run, seq, RunJournal.DELTA, Map.of("step", 1, "text", "piece " + seq), at);
        }
    }

    private List<Integer> stored() {
        return jdbc.sql("SELECT seq FROM runtime.run_event WHERE run_id = :run ORDER BY seq")
            .param("run", run)
            .query(Integer.class)
            .list();
    }

    private static List<Integer> seqs(List<RunJournal.RunEvent> events) {
        return events.stream().map(RunJournal.RunEvent::seq).toList();
    }

    private long selects() {
        return statements.stream().filter(sql -> sql.startsWith("SELECT")).count();
    }

    private long inserts() {
        return statements.stream().filter(sql -> sql.startsWith("INSERT")).count();
    }

    /** The data source, noting each statement prepared on its connections. */
}
