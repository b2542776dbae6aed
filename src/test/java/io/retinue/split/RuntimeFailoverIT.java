package io.retinue.split;

import static io.retinue.testing.Instances.portOf;
import static io.retinue.testing.Instances.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.retinue.testing.Api;
import io.retinue.testing.AppProcess;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.TestDatabase;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;

/**
 * Durable runs in the split shape: two runtime processes (each its own JVM, on the runtime's own database) behind a
 * gateway that lists both. One is killed with SIGKILL while async runs with a non-idempotent tool call are in
 * flight; the gateway stops sending to it, the other process takes over the runs it held once their leases expire,
 * and every run completes, each tool call made once. The platform under test stands in for the agents and tools
 * services.
 */
class RuntimeFailoverIT extends PlatformIT {

    private static final int RUNS = 30;
    private static final List<AppProcess> runtimes = new ArrayList<>();
    private static ConfigurableApplicationContext gateway;

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
        runtimes.forEach(AppProcess::close);
        runtimes.clear();
    }

    @Test
    void runsHeldByAKilledRuntimeProcessFinishOnTheOtherEachToolCallOnce() {
        String platform = "http://127.0.0.1:" + port;
        String database = TestDatabase.fresh();
        for (int i = 0; i < 2; i++) {
            runtimes.add(new AppProcess(database, ADMIN_KEY, "--retinue.role=runtime",
                    "--retinue.services.gateway.url=" + platform, "--retinue.services.agents.url=" + platform,
                    "--retinue.services.tools.url=" + platform, "--retinue.runtime.queue.lease=3s",
                    "--retinue.runtime.queue.workers=4", "--retinue.runtime.queue.max-per-tenant=8"));
        }
        runtimes.forEach(AppProcess::start);
        AppProcess doomed = runtimes.get(0);
        AppProcess survivor = runtimes.get(1);
        gateway = start("gateway", 0, "--retinue.services.agents.url=" + platform,
                "--retinue.services.tools.url=" + platform, "--retinue.services.runtime.url=http://127.0.0.1:"
                        + doomed.port() + ",http://127.0.0.1:" + survivor.port());

        TestTenant tenant = newTenant(api, "failover");
        // Tools, agents and grants straight at the platform (standing in for those services); runs through the gateway.
        Api platformOwner = tenant.owner();
        Api owner = new Api(portOf(gateway), platformOwner.apiKey());
        TestUpstream upstream = TestUpstream.shared();
        String tool = "failover.record";
        platformOwner.post("/api/v1/tools", Map.of("name", tool, "description", "Records a visit (not idempotent)", "kind",
                "http", "inputSchema", Map.of("type", "object", "properties", Map.of("run", Map.of("type", "string"))),
                "http", Map.of("method", "POST", "url", "http://localhost:" + upstream.port() + "/echo", "query",
                        Map.of("run", "{run}"), "body", "arguments"))).expect(201);
        String slug = uniqueSlug("failover");
        platformOwner.post("/api/v1/agents", Map.of("slug", slug, "name", "Failover", "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You record visits."),
                "tools", List.of(Map.of("name", tool)),
                "limits", Map.of("runTimeoutSeconds", 300)))).expect(201);
        platformOwner.post("/api/v1/agents/" + slug + "/versions/1/publish", "").expect(200);
        platformOwner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", tool, "effect", "allow"))
            .expect(201);

        String nonce = Long.toHexString(System.nanoTime());
        Map<String, String> markers = new HashMap<>();
        for (int i = 0; i < RUNS; i++) {
            String marker = "f" + nonce + "x" + i;
            JsonNode accepted = owner.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", slug, "input",
                    "[[drip:400]] use failover__record with {\"run\":\"" + marker + "\"}")).send().expect(202).json();
            markers.put(accepted.at("/run/id").asString(), marker);
        }
        // More runs in progress than one process's four workers hold: both hold some when one is killed.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
            .until(() -> count(owner, slug, "running") >= 6);
        doomed.kill();

        Set<String> rejected = ConcurrentHashMap.newKeySet();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(survivor.isAlive()).as("see " + survivor.log()).isTrue();
            List<JsonNode> pending = new ArrayList<>();
            for (String status : List.of("queued", "running", "requires_action")) {
                Api.Reply page = owner.get("/api/v1/runs?agent=" + slug + "&limit=200&status=" + status);
                if (page.status() != 200) {
                    return false;
                }
                pending.addAll(page.json().get("items").valueStream().toList());
            }
            // A call that may have run when the process died waits for a person: reject it, and the run completes.
            pending.stream()
                .filter(run -> run.get("status").asString().equals("requires_action"))
                .forEach(run -> {
                    rejected.add(run.get("id").asString());
                    owner.post("/api/v1/runs/" + run.get("id").asString() + "/decision?mode=async",
                            Map.of("decision", "reject", "comment", "failover test"));
                });
            return pending.isEmpty();
        });

        for (Map.Entry<String, String> run : markers.entrySet()) {
            JsonNode view = owner.get("/api/v1/runs/" + run.getKey()).expect(200).json();
            assertThat(view.at("/run/status").asString()).as(view.toString()).isEqualTo("completed");
            int hits = upstream.hits("/echo?run=" + run.getValue());
            if (rejected.contains(run.getKey())) {
                assertThat(hits).as("the tool never ran twice for " + run.getValue()).isLessThanOrEqualTo(1);
            }
            else {
                assertThat(hits).as("the tool ran exactly once for %s: %s", run.getValue(), view).isEqualTo(1);
            }
        }
        // Runs the killed process held were claimed again (their lease expired) and finished by the other.
        assertThat(takenOver(database)).as("runs the killed process held went on in the other").isPositive();
    }

    private static long takenOver(String database) {
        try (Connection connection = DriverManager.getConnection(database, TestDatabase.user(), TestDatabase.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM runtime.run WHERE attempts > 1")) {
            rows.next();
            return rows.getLong(1);
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static int count(Api api, String agent, String status) {
        return api.get("/api/v1/runs?agent=" + agent + "&limit=200&status=" + status).json().get("items").size();
    }
}
