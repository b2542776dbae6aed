package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.retinue.testing.Api;
import io.retinue.testing.AppProcess;
import io.retinue.testing.TestUpstream;

/**
 * The embedded default stopped the way an orchestrator stops it (SIGTERM) while a run is in flight, then started
 * again on the same H2 file: the stop lets go of the run — its lease given up in the database — and the restarted
 * application goes on with it at once. The lease here outlasts the test, so only a lease actually given up lets the
 * run go on: H2's own shutdown hook once closed the database under the application's graceful shutdown, and every
 * write it still had to make failed.
 */
class GracefulRestartIT {

    private static final String KEY = "rtn_GracefulStop_abcdefghijklmnopqrstuvwxyz012345";

    private AppProcess app;

    @AfterEach
    void killLeftover() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aRunInFlightWhenTheEmbeddedDefaultStopsGoesOnOnceItIsBack(@TempDir Path directory) throws Exception {
        app = AppProcess.embedded(directory, KEY, "--retinue.runtime.queue.lease=10m").start();
        Api api = new Api(app.port(), KEY);
        publishAgent(api, "patient-bot");
        Api.Reply accepted = api.call("POST", "/api/v1/runs?mode=async")
            .json(Map.of("agent", "patient-bot", "input", "[[slow:6000]] hello"))
            .send();
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String run = "/api/v1/runs/" + accepted.json().at("/run/id").asString();
        await().atMost(Duration.ofSeconds(20))
            .until(() -> api.get(run).json().at("/run/status").asString().equals("running"));

        app.stop();
        assertThat(Files.readString(app.log()))
            .as("the graceful stop wrote what it had to write; see " + app.log())
            .doesNotContain("Could not open JDBC Connection")
            .doesNotContain("Database is already closed");

        app.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
            .until(() -> api.get(run).json().at("/run/status").asString().equals("completed"));
        assertThat(api.get(run).json().at("/run/output").asString()).contains("hello");
    }

    /**
     * A run in the middle of a tool call when its instance stops: the stop lets the call finish (cut short, a tool
     * that is not idempotent might have done its work without a record of it, and the run would wait for a person to
     * say whether to call it again), and the run goes on from there once the application is back — the tool called
     * once, nobody asked.
     */
    @Test
    void aToolCallInProgressWhenTheInstanceStopsIsLetFinish(@TempDir Path directory) throws Exception {
        app = AppProcess.embedded(directory, KEY, "--retinue.runtime.queue.lease=10m").start();
        Api api = new Api(app.port(), KEY);
        TestUpstream upstream = TestUpstream.shared();
        api.post("/api/v1/tools", Map.of("name", "visits.record", "description", "Records a visit (not idempotent)",
                "kind", "http", "inputSchema", Map.of("type", "object", "properties", Map.of("run", Map.of("type",
                        "string"))), "http", Map.of("method", "POST", "url", "http://localhost:" + upstream.port()
                                + "/slow", "query", Map.of("run", "{run}"), "body", "arguments"), "timeoutMs", 10_000))
            .expect(201);
        assertThat(api.post("/api/v1/agents", Map.of("slug", "visit-bot", "name", "Visit bot", "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You record visits."),
                "tools", List.of(Map.of("name", "visits.record")),
                "limits", Map.of("runTimeoutSeconds", 600)))).status()).isEqualTo(201);
        api.post("/api/v1/agents/visit-bot/versions/1/publish", "").expect(200);
        api.post("/api/v1/tool-grants", Map.of("subject", "agent:visit-bot", "tools", "visits.record", "effect",
                "allow")).expect(201);
        String marker = Long.toHexString(System.nanoTime());
        Api.Reply accepted = api.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", "visit-bot", "input",
                "use visits__record with {\"run\":\"" + marker + "\"}")).send();
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String run = "/api/v1/runs/" + accepted.json().at("/run/id").asString();
        // The upstream counts the call as it arrives, and answers two seconds later.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
            .until(() -> upstream.hits("/slow?run=" + marker) == 1);

        app.stop();
        app.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
            .until(() -> !List.of("queued", "running").contains(api.get(run).json().at("/run/status").asString()));
        assertThat(api.get(run).json().at("/run/status").asString()).as("%s; see %s", api.get(run).json(), app.log())
            .isEqualTo("completed");
        assertThat(upstream.hits("/slow?run=" + marker)).as("the tool was called once").isEqualTo(1);
    }

    /**
     * A client streaming a run when the instance stops: its stream ends at once, asking it to reconnect, instead of
     * holding the shutdown for as long as the run would take; reconnected with its Last-Event-ID to the instance once
     * it is back, it gets the rest of the run.
     */
    @Test
    void aStreamEndsAtOnceWhenItsInstanceStopsAndGoesOnFromItsLastEventOnceBack(@TempDir Path directory)
            throws Exception {
        app = AppProcess.embedded(directory, KEY).start();
        Api api = new Api(app.port(), KEY);
        publishAgent(api, "story-bot");
        java.util.concurrent.CountDownLatch firstText = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Api.Streamed> streamed;
        try (var client = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            streamed = java.util.concurrent.CompletableFuture.supplyAsync(() -> api.call("POST",
                    "/api/v1/runs?mode=stream").json(Map.of("agent", "story-bot", "input",
                            "[[drip:500]] " + "word ".repeat(30), "onDisconnect", "continue"))
                .stream(line -> {
                    if (line.equals("event: text.delta")) {
                        firstText.countDown();
                    }
                }), client);
            assertThat(firstText.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            long stopping = System.nanoTime();
            app.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("the 15 s run did not hold the shutdown")
                .isLessThan(Duration.ofSeconds(8));
        }
        Api.Streamed ended = streamed.get();
        assertThat(ended.body()).contains("retry: 1000");
        assertThat(ended.types()).as("the run went on: no end was sent").doesNotContain("run.completed",
                "run.cancelled", "run.failed");
        String location = ended.headers().entrySet().stream()
            .filter(header -> header.getKey().equalsIgnoreCase("location"))
            .findFirst()
            .orElseThrow()
            .getValue()
            .getFirst();
        int lastSeen = ended.events().getLast().id();

        app.start();
        Api.Streamed rest = api.call("GET", location + "/events").header("Last-Event-ID", String.valueOf(lastSeen))
            .stream();
        assertThat(rest.events().getFirst().id()).as("from the event after the last seen").isEqualTo(lastSeen + 1);
        assertThat(rest.types()).last().isEqualTo("run.completed");
        assertThat(Files.readString(app.log())).doesNotContain("Could not open JDBC Connection");
    }

    /** An agent on the fake model that may run for ten minutes, created and published. */
    private static void publishAgent(Api api, String slug) {
        assertThat(api.post("/api/v1/agents", Map.of("slug", slug, "name", slug, "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You take your time."),
                "tools", List.of(),
                "limits", Map.of("runTimeoutSeconds", 600)))).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(200);
    }
}
