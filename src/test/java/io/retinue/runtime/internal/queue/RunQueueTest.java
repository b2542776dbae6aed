package io.retinue.runtime.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.shared.Timestamps;
import io.retinue.testing.SettableClock;
import io.retinue.testing.StatementLog;

/**
 * Leases under many runs: one instance renews however many it holds at once and learns which another instance took
 * over; a lease taken in a transaction is only counted once the transaction commits. Two queues (two instances, each
 * with its own owner name) share an in-memory H2 database.
 */
class RunQueueTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private final SettableClock clock = new SettableClock(Instant.parse("2025-06-01T12:00:00Z"));
    private JdbcClient jdbc;
    private List<String> statements;
    private TransactionTemplate transactions;

    @BeforeEach
    void database() {
        StatementLog dataSource = new StatementLog(new DriverManagerDataSource("jdbc:h2:mem:queue-" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", ""));
        statements = dataSource.statements();
        jdbc = JdbcClient.create(dataSource);
        jdbc.sql("CREATE SCHEMA runtime").update();
        jdbc.sql("""
                CREATE TABLE runtime.run (id UUID PRIMARY KEY, tenant_id VARCHAR(63) NOT NULL, status VARCHAR(20) NOT NULL,
                    lease_owner VARCHAR(100), lease_expires_at TIMESTAMP WITH TIME ZONE, attempts INTEGER DEFAULT 0 NOT NULL,
                    queued_at TIMESTAMP WITH TIME ZONE, started_at TIMESTAMP WITH TIME ZONE NOT NULL,
                    began_at TIMESTAMP WITH TIME ZONE)""")
            .update();
        jdbc.sql("CREATE TABLE runtime.suspended_tenant (tenant_id VARCHAR(63) PRIMARY KEY, since TIMESTAMP WITH TIME ZONE)")
            .update();
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @AfterEach
    void shutdown() {
        jdbc.sql("SHUTDOWN").update();
    }

    @Test
    void oneInstanceRenewsEveryRunItHoldsAndLearnsWhichOneAnotherTookOver() {
        RunQueue mine = new RunQueue(jdbc, clock);
        RunQueue other = new RunQueue(jdbc, clock);
        List<UUID> runs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            UUID run = running();
            mine.hold(run, LEASE);
            runs.add(run);
        }
        // This instance stalls past its leases; the other takes one run over before this one renews.
        clock.advance(LEASE.plusSeconds(1));
        Optional<UUID> taken = other.claim(LEASE, 1000);
        assertThat(taken).isPresent();

        statements.clear();
        assertThat(mine.renew(LEASE)).as("reported lost").containsExactly(taken.get());
        assertThat(statements).as("one renewal, however many runs are held, and a look at the one missing")
            .hasSize(3);
        Instant renewedUntil = clock.instant().plus(LEASE);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM runtime.run WHERE lease_expires_at = :until")
            .param("until", Timestamps.of(renewedUntil))
            .query(Long.class)
            .single()).as("every other lease runs on").isEqualTo(runs.size());
        assertThat(other.claim(LEASE, 1000)).as("nothing else is claimable").isEmpty();
        assertThat(mine.renew(LEASE)).as("lost once, not again").isEmpty();
    }

    @Test
    void aRunThatJustEndedIsNotTakenForLost() {
        RunQueue mine = new RunQueue(jdbc, clock);
        UUID ended = running();
        UUID going = running();
        mine.hold(ended, LEASE);
        mine.hold(going, LEASE);
        // Its end gave the lease up with it; its worker has yet to forget it when the renewal comes.
        jdbc.sql("UPDATE runtime.run SET status = 'completed', lease_owner = NULL, lease_expires_at = NULL WHERE id = :id")
            .param("id", ended)
            .update();

        assertThat(mine.renew(LEASE)).isEmpty();
        statements.clear();
        mine.forget(ended);
        assertThat(mine.renew(LEASE)).isEmpty();
        assertThat(statements).as("nothing missing: the renewal and the look at what is held").hasSize(2);
    }

    @Test
    void aLeaseTakenInATransactionCountsOnlyOnceCommitted() throws Exception {
        RunQueue queue = new RunQueue(jdbc, clock);
        UUID committed = UUID.randomUUID();
        List<UUID> lostMeanwhile = transactions.execute(tx -> {
            insertRunning(committed);
            queue.hold(committed, LEASE);
            // The renewal runs on its own connection, where neither the run nor its lease is visible yet.
            return CompletableFuture.supplyAsync(() -> queue.renew(LEASE)).join();
        });
        assertThat(lostMeanwhile).as("not taken for lost before it commits").isEmpty();
        assertThat(queue.renew(LEASE)).isEmpty();
        assertThat(jdbc.sql("SELECT lease_expires_at FROM runtime.run WHERE id = :id")
            .param("id", committed)
            .query(java.time.OffsetDateTime.class)
            .single()
            .toInstant()).isEqualTo(clock.instant().plus(LEASE));

        UUID rolledBack = UUID.randomUUID();
        transactions.executeWithoutResult(tx -> {
            insertRunning(rolledBack);
            queue.hold(rolledBack, LEASE);
            tx.setRollbackOnly();
        });
        assertThat(queue.renew(LEASE)).as("a lease that never committed is not held, so not lost either").isEmpty();
    }

    @Test
    void looksForClaimableRunsThroughTheQueueIndexNotThroughEveryEndedRun() {
        // As V8 indexes the table: the few queued and running runs are found without reading the many ended ones.
        jdbc.sql("CREATE INDEX run_queue ON runtime.run (status, queued_at)").update();
        for (int i = 0; i < 50; i++) {
            jdbc.sql("INSERT INTO runtime.run (id, tenant_id, status, started_at) VALUES (:id, 'acme', 'completed', :at)")
                .param("id", UUID.randomUUID())
                .param("at", Timestamps.of(clock.instant()))
                .update();
        }
        jdbc.sql("INSERT INTO runtime.run (id, tenant_id, status, queued_at, started_at) VALUES (:id, 'acme', 'queued', :at, :at)")
            .param("id", UUID.randomUUID())
            .param("at", Timestamps.of(clock.instant()))
            .update();
        RunQueue queue = new RunQueue(jdbc, clock);
        UUID lapsed = running();
        queue.hold(lapsed, LEASE);
        UUID held = running();
        queue.hold(held, LEASE);
        clock.advance(Duration.ofSeconds(10));
        queue.hold(held, LEASE);
        clock.advance(LEASE.minusSeconds(5));

        statements.clear();
        assertThat(queue.claimable(16)).as("the queued run and the one whose lease lapsed").isEqualTo(2);
        assertThat(new RunQueue(jdbc, clock).claim(LEASE, 1000)).isPresent();
        List<String> looks = statements.stream().filter(sql -> sql.stripLeading().startsWith("SELECT")).toList();
        assertThat(looks).as("the look, the candidates, the tenants' runs in progress").hasSize(3);
        for (String look : looks) {
            String plan = jdbc.sql("EXPLAIN " + look)
                .params(List.of(Timestamps.of(clock.instant()), 16).subList(0, (int) look.chars().filter(c -> c == '?').count()))
                .query(String.class)
                .single();
            assertThat(plan).as(look).contains("run_queue").doesNotContain("run.tableScan");
        }
    }

    @Test
    void renewsItsLeasesThroughTheQueueIndexWithoutAnIndexOfTheirOwn() {
        // As V8 and V20 leave the table: no index on lease_owner, which every run's start and end would write.
        jdbc.sql("CREATE INDEX run_queue ON runtime.run (status, queued_at)").update();
        for (int i = 0; i < 50; i++) {
            jdbc.sql("INSERT INTO runtime.run (id, tenant_id, status, started_at) VALUES (:id, 'acme', 'completed', :at)")
                .param("id", UUID.randomUUID())
                .param("at", Timestamps.of(clock.instant()))
                .update();
        }
        RunQueue queue = new RunQueue(jdbc, clock);
        UUID held = running();
        queue.hold(held, LEASE);
        jdbc.sql("UPDATE runtime.run SET status = 'cancelling' WHERE id = :id").param("id", held).update();

        statements.clear();
        assertThat(queue.renew(LEASE)).as("a run being cancelled is still held").isEmpty();
        List<String> renewals = List.copyOf(statements);
        assertThat(jdbc.sql("SELECT lease_expires_at FROM runtime.run WHERE id = :id").param("id", held)
            .query(java.time.OffsetDateTime.class).single().toInstant()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(renewals).as("the renewal and the look at what is still held").hasSize(2);
        for (String renewal : renewals) {
            String plan = jdbc.sql("EXPLAIN " + renewal)
                .params(renewal.startsWith("UPDATE") ? List.of(Timestamps.of(clock.instant()), "x") : List.of("x"))
                .query(String.class)
                .single();
            assertThat(plan).as(renewal).contains("run_queue").doesNotContain("run.tableScan");
        }
    }

    @Test
    void theRunsOfASuspendedTenantAreNotTakenUntilItResumes() {
        jdbc.sql("INSERT INTO runtime.run (id, tenant_id, status, queued_at, started_at) VALUES (:id, 'gone', 'queued', :at, :at)")
            .param("id", UUID.randomUUID())
            .param("at", Timestamps.of(clock.instant()))
            .update();
        jdbc.sql("INSERT INTO runtime.suspended_tenant (tenant_id, since) VALUES ('gone', :at)")
            .param("at", Timestamps.of(clock.instant()))
            .update();
        RunQueue queue = new RunQueue(jdbc, clock);
        assertThat(queue.claimable(16)).isZero();
        assertThat(queue.claim(LEASE, 1000)).isEmpty();

        jdbc.sql("DELETE FROM runtime.suspended_tenant").update();
        assertThat(queue.claim(LEASE, 1000)).isPresent();
    }

    private UUID running() {
        UUID run = UUID.randomUUID();
        insertRunning(run);
        return run;
    }

    private void insertRunning(UUID run) {
        jdbc.sql("INSERT INTO runtime.run (id, tenant_id, status, started_at) VALUES (:id, 'acme', 'running', :at)")
            .param("id", run)
            .param("at", Timestamps.of(clock.instant()))
            .update();
    }
}
