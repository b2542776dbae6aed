package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.AppProcess;
import io.retinue.testing.TestDatabase;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;

/**
 * The durable queue against real crashes: the application runs in a process of its own on a PostgreSQL database of
 * its own; 200 async runs of an agent that calls a non-idempotent HTTP tool are accepted; the process is killed with
 * SIGKILL while they are in flight and started again, several times; in the end every run has completed once — no
 * model answer recorded twice, the tool never executed twice for a run.
 */
class CrashRecoveryIT {

    private static final String KEY = "rtn_CrashTests01_abcdefghijklmnopqrstuvwxyz012345";
    private static final int RUNS = 200;

    private final List<AppProcess> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(AppProcess::close);
    }

    private AppProcess start(String database) {
        AppProcess app = new AppProcess(database, KEY, "--retinue.runtime.queue.lease=3s",
                "--retinue.runtime.queue.workers=8", "--retinue.runtime.queue.max-per-tenant=8").start();
        processes.add(app);
        return app;
    }

    @Test
    void everyAcceptedRunCompletesExactlyOnceAcrossKillsAndRestarts() throws Exception {
        String database = TestDatabase.fresh();
        TestUpstream upstream = TestUpstream.shared();
        AppProcess app = start(database);
        Api api = new Api(app.port(), KEY);
        String tool = "crash.record";
        assertThat(api.post("/api/v1/tools", Map.of("name", tool, "description", "Records a visit (not idempotent)",
                "kind", "http", "inputSchema", Map.of("type", "object", "properties", Map.of("run", Map.of("type",
                        "string"))), "http", Map.of("method", "POST", "url", "http://localhost:" + upstream.port()
                                + "/echo", "query", Map.of("run", "{run}"), "body", "arguments"),
                "timeoutMs", 10_000, "maxConcurrency", 64)).status()).isEqualTo(201);
        Map<String, Object> agent = new HashMap<>(Map.of("slug", "crash-bot", "name", "Crash bot", "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You record visits."),
                "tools", List.of(Map.of("name", tool)),
                "limits", Map.of("runTimeoutSeconds", 600))));
        assertThat(api.post("/api/v1/agents", agent).status()).isEqualTo(201);
        api.post("/api/v1/agents/crash-bot/versions/1/publish", "");
        api.post("/api/v1/tool-grants", Map.of("subject", "agent:crash-bot", "tools", tool, "effect", "allow"));

        String nonce = Long.toHexString(System.nanoTime());
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            String marker = "c" + nonce + "x" + i;
            Api.Reply accepted = api.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", "crash-bot", "input",
                    "[[drip:100]] use crash__record with {\"run\":\"" + marker + "\"}")).send();
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            runs.add(accepted.json().at("/run/id").asString() + " " + marker);
        }

        // Kill while the queue is being worked off: each time a few more runs have completed since the last restart.
        List<String> beforeKills = new ArrayList<>();
        for (int cycle = 0; cycle < 3; cycle++) {
            int target = completed(api) + 15;
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> completed(api) >= target);
            beforeKills.add(completed(api) + " completed");
            app.kill();
            app.start();
        }
        java.util.Set<String> rejected = java.util.concurrent.ConcurrentHashMap.newKeySet();
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(app.isAlive()).as("the application is up; see " + app.log()).isTrue();
            List<JsonNode> pending = new ArrayList<>();
            for (String status : List.of("queued", "running", "requires_action")) {
                pending.addAll(api.get("/api/v1/runs?agent=crash-bot&limit=200&status=" + status).json().get("items")
                    .valueStream().toList());
            }
            // A call that may have run when the process died waits for a person: reject it, and the run completes.
            pending.stream()
                .filter(run -> run.get("status").asString().equals("requires_action"))
                .forEach(run -> {
                    rejected.add(run.get("id").asString());
                    api.post("/api/v1/runs/" + run.get("id").asString() + "/decision?mode=async",
                            Map.of("decision", "reject", "comment", "crash test"));
                });
            return pending.isEmpty();
        });

        Map<String, Integer> outcomes = new HashMap<>();
        int resumed = 0;
        for (String entry : runs) {
            String id = entry.split(" ")[0];
            String marker = entry.split(" ")[1];
            JsonNode view = api.get("/api/v1/runs/" + id).json();
            outcomes.merge(view.at("/run/status").asString(), 1, Integer::sum);
            List<String> modelSteps = view.get("steps").valueStream()
                .filter(step -> step.get("kind").asString().equals("model"))
                .map(step -> step.get("outcome").asString())
                .toList();
            assertThat(view.at("/run/status").asString()).as(view.toString()).isEqualTo("completed");
            assertThat(modelSteps).as("each model answer recorded once: " + view).containsExactly("tool_calls", "answer");
            if (rejected.contains(id)) {
                assertThat(upstream.hits("/echo?run=" + marker)).as("the tool never ran twice for " + marker)
                    .isLessThanOrEqualTo(1);
            }
            else {
                assertThat(upstream.hits("/echo?run=" + marker)).as("the tool ran exactly once for " + marker + ": " + view)
                    .isEqualTo(1);
            }
            if (api.call("GET", "/api/v1/runs/" + id + "/events").stream().events().stream()
                .anyMatch(event -> event.type().equals("run.started") && event.data().get("resumed").asBoolean())) {
                resumed++;
            }
        }
        assertThat(resumed).as("runs were in flight when the process was killed, and went on after a restart "
                + beforeKills)
            .isPositive();
        assertThat(outcomes).containsExactly(Map.entry("completed", RUNS));
        assertThat(app.starts()).as("the process was started four times").isEqualTo(4);
    }

    private static int completed(Api api) {
        return api.get("/api/v1/runs?agent=crash-bot&limit=200&status=completed").json().get("items").size();
    }
}
