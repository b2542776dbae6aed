package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.AppProcess;
import io.retinue.testing.PrivatePostgres;

/**
 * A PostgreSQL outage longer than the pool's wait for a connection, with runs in flight: the application runs in a
 * process of its own on a PostgreSQL cluster of the test's own, which the test stops abruptly for 8 s (the pool waits
 * 2 s, the leases last 4 s) and starts again. Meanwhile requests are answered 503 {@code database-unavailable} with
 * Retry-After at once rather than held, readiness is DOWN and liveness UP; afterwards readiness comes back by itself
 * and every accepted run — async ones, and sync ones whose caller was answered 503 — completes.
 */
class DatabaseOutageIT {

    private static final String KEY = "rtn_OutageTests1_abcdefghijklmnopqrstuvwxyz012345";
    private static final String PROBLEM = "https://retinue.dev/problems/database-unavailable";
    private static final int ASYNC_RUNS = 24;
    private static final int SYNC_RUNS = 4;
    private static final Duration OUTAGE = Duration.ofSeconds(8);

    private PrivatePostgres database;
    private AppProcess app;

    @AfterEach
    void stopAll() {
        if (app != null) {
            app.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void answers503WhileTheDatabaseIsAwayAndEveryAcceptedRunCompletesAfterwards() throws Exception {
        database = PrivatePostgres.start();
        app = new AppProcess(database.url(), KEY, "--spring.datasource.hikari.connection-timeout=2000",
                "--spring.datasource.hikari.validation-timeout=1000", "--retinue.runtime.queue.lease=4s",
                "--retinue.runtime.queue.workers=16", "--retinue.runtime.queue.max-per-tenant=16").start();
        Api api = new Api(app.port(), KEY);
        assertThat(api.post("/api/v1/agents", Map.of("slug", "steady-bot", "name", "steady-bot", "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You take your time."),
                "tools", List.of(),
                "limits", Map.of("runTimeoutSeconds", 600)))).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/agents/steady-bot/versions/1/publish", "").status()).isEqualTo(200);
        // Each answer drips for about 3 s: runs are in flight, some mid-answer, when the database goes.
        String input = "[[drip:250]] one two three four five six seven eight nine ten";

        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < ASYNC_RUNS; i++) {
            Api.Reply reply = api.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", "steady-bot", "input",
                    input + " #" + i)).send();
            assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
            accepted.add(reply.json().at("/run/id").asString());
        }
        Set<String> syncRuns = ConcurrentHashMap.newKeySet();
        Map<Integer, Integer> syncStatuses = new ConcurrentHashMap<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sync = new ArrayList<>();
            for (int i = 0; i < SYNC_RUNS; i++) {
                int n = i;
                sync.add(callers.submit(() -> {
                    long started = System.nanoTime();
                    Api.Reply reply = api.call("POST", "/api/v1/runs?mode=sync").json(Map.of("agent", "steady-bot",
                            "input", input + " sync #" + n)).send();
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    syncStatuses.merge(reply.status(), 1, Integer::sum);
                    if (reply.status() == 201) {
                        syncRuns.add(reply.json().at("/run/id").asString());
                    }
                    else {
                        // Its model answer (about 4 s) came before the failed write.
                        assertUnavailable(reply, millis - 5_000);
                        // The run is not lost: the problem names it, for the caller to follow.
                        syncRuns.add(reply.json().get("runId").asString());
                    }
                    return null;
                }));
            }
            // Let the runs get going (some model answers recorded, others mid-answer), then take the database away.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> running(api) >= 8);
            long outageStarted = System.nanoTime();
            database.stopAbruptly();

            await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.call("GET", "/actuator/health/readiness").anonymous().send().status() == 503);
            Api.Reply health = api.call("GET", "/actuator/health").anonymous().send();
            assertThat(health.status()).as(health.toString()).isEqualTo(503);
            assertThat(api.call("GET", "/actuator/health/liveness").anonymous().send().status())
                .as("liveness stays UP: an outage is no reason to restart the instance").isEqualTo(200);

            long started = System.nanoTime();
            Api.Reply refused = api.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", "steady-bot",
                    "input", "hello")).send();
            assertUnavailable(refused, (System.nanoTime() - started) / 1_000_000);
            started = System.nanoTime();
            Api.Reply read = api.get("/api/v1/runs/" + accepted.getFirst());
            assertUnavailable(read, (System.nanoTime() - started) / 1_000_000);
            started = System.nanoTime();
            Api.Reply unknownKey = api.as("rtn_OutageTests2_abcdefghijklmnopqrstuvwxyz012345").get("/api/v1/runs");
            assertThat(unknownKey.status()).as("a key cannot be checked: not 401 but " + unknownKey).isEqualTo(503);
            assertUnavailable(unknownKey, (System.nanoTime() - started) / 1_000_000);

            await().atMost(OUTAGE).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(api.call("GET", "/actuator/health/liveness").anonymous().send().status()).isEqualTo(200);
                return System.nanoTime() - outageStarted >= OUTAGE.toNanos();
            });
            database.resume();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> api.call("GET", "/actuator/health/readiness").anonymous().send().status() == 200);
            for (Future<?> call : sync) {
                call.get();
            }
        }

        List<String> all = new ArrayList<>(accepted);
        all.addAll(syncRuns);
        Map<String, String> outcomes = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (String id : all) {
                if (!outcomes.containsKey(id)) {
                    Api.Reply view = api.get("/api/v1/runs/" + id);
                    assertThat(view.status()).as(view.toString()).isEqualTo(200);
                    String status = view.json().at("/run/status").asString();
                    if (!Set.of("queued", "running").contains(status)) {
                        outcomes.put(id, status + " " + view.json().at("/run/errorCode").asString(""));
                    }
                }
            }
            return outcomes.size() == all.size();
        });
        assertThat(Map.copyOf(outcomes)).as("every accepted run completed (sync calls answered: " + syncStatuses
                + "); see " + app.log())
            .allSatisfy((id, outcome) -> assertThat(outcome).isEqualTo("completed "));
        assertThat(all).hasSize(ASYNC_RUNS + SYNC_RUNS);
        String log = Files.readString(app.log());
        assertThat(log).doesNotContain("failed unexpectedly").doesNotContain("Unexpected failure while handling");
    }

    /** 503 problem+json naming the outage, with Retry-After, answered well before a pool's 30 s wait. */
    private static void assertUnavailable(Api.Reply reply, long millis) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(503);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("type").asString()).isEqualTo(PROBLEM);
        assertThat(reply.header("Retry-After")).as(reply.toString()).isPresent();
        assertThat(millis).as("answered at once, not held").isLessThan(10_000);
    }

    private static int running(Api api) {
        return api.get("/api/v1/runs?agent=steady-bot&limit=100&status=running").json().get("items").size();
    }
}
