package io.retinue.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.retinue.testing.Api;
import io.retinue.testing.AppProcess;
import io.retinue.testing.TestDatabase;
import io.retinue.testing.TestUpstream;
import tools.jackson.databind.JsonNode;

/**
 * A rolling upgrade on PostgreSQL: the previous build ({@code deploy/upgrade/previous-release}, built here from this
 * repository's history) takes background runs that call a tool; this build starts beside it on the same database
 * (migrating it) while they are in flight and takes new runs too; the previous build is stopped as an orchestrator
 * stops a container. Every run completes, each tool call made once.
 */
class RollingUpgradeIT {

    private static final String KEY = "rtn_UpgradeTest1_abcdefghijklmnopqrstuvwxyz012345";
    private static final int RUNS = 60;
    private static final String[] QUEUE = { "--retinue.runtime.queue.lease=3s", "--retinue.runtime.queue.workers=4",
            "--retinue.runtime.queue.max-per-tenant=4" };

    private final List<AppProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(AppProcess::close);
    }

    @Test
    void thePreviousBuildAndThisOneShareTheDatabaseWhileRunsAreInFlight() throws Exception {
        Path previous = previousBuild();
        String database = TestDatabase.fresh();
        TestUpstream upstream = TestUpstream.shared();
        AppProcess old = new AppProcess(database, KEY, QUEUE).runningJar(previous);
        processes.add(old);
        old.start();
        Api before = new Api(old.port(), KEY);
        String tool = "upgrade.record";
        before.post("/api/v1/tools", Map.of("name", tool, "description", "Records a visit (not idempotent)", "kind",
                "http", "inputSchema", Map.of("type", "object", "properties", Map.of("run", Map.of("type", "string"))),
                "http", Map.of("method", "POST", "url", "http://localhost:" + upstream.port() + "/echo", "query",
                        Map.of("run", "{run}"), "body", "arguments"), "timeoutMs", 10_000)).expect(201);
        before.post("/api/v1/agents", Map.of("slug", "upgrade-bot", "name", "Upgrade bot", "config", Map.of(
                "model", Map.of("provider", "fake", "name", "demo-echo"),
                "instructions", Map.of("system", "You record visits."),
                "tools", List.of(Map.of("name", tool)),
                "limits", Map.of("runTimeoutSeconds", 600)))).expect(201);
        before.post("/api/v1/agents/upgrade-bot/versions/1/publish", "").expect(200);
        before.post("/api/v1/tool-grants", Map.of("subject", "agent:upgrade-bot", "tools", tool, "effect", "allow"))
            .expect(201);

        String nonce = Long.toHexString(System.nanoTime());
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < RUNS / 2; i++) {
            runs.add(enqueue(before, nonce + "a" + i));
        }
        await().atMost(Duration.ofMinutes(1)).until(() -> completed(before) >= 3);

        AppProcess next = new AppProcess(database, KEY, QUEUE);
        processes.add(next);
        next.start();
        Api after = new Api(next.port(), KEY);
        for (int i = 0; i < RUNS / 2; i++) {
            runs.add(enqueue(i % 2 == 0 ? after : before, nonce + "b" + i));
        }
        int completedByThen = completed(after);
        old.stop();
        assertThat(completedByThen).as("runs were still in flight when the previous build stopped").isLessThan(RUNS);

        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                decideCutShortCalls(after, upstream, runs);
                return completed(after) == RUNS;
            });
        }
        catch (org.awaitility.core.ConditionTimeoutException timeout) {
            // What did not complete, and where the processes logged, to tell a stuck run from a slow machine.
            StringBuilder pending = new StringBuilder();
            after.get("/api/v1/runs?agent=upgrade-bot&limit=200").json().get("items").forEach(item -> {
                if (!item.get("status").asString().equals("completed")) {
                    pending.append('\n').append(item);
                }
            });
            throw new AssertionError("not all " + RUNS + " runs completed within 3 minutes; logs " + next.log() + ", "
                    + old.log() + "; not completed:" + pending, timeout);
        }
        int resumed = 0;
        for (String entry : runs) {
            String id = entry.split(" ")[0];
            String marker = entry.split(" ")[1];
            JsonNode view = after.get("/api/v1/runs/" + id).json();
            assertThat(view.at("/run/status").asString()).as(view.toString()).isEqualTo("completed");
            assertThat(upstream.hits("/echo?run=" + marker)).as("the tool ran once for %s: %s", marker, view)
                .isEqualTo(1);
            if (after.call("GET", "/api/v1/runs/" + id + "/events").stream().events().stream()
                .anyMatch(event -> event.type().equals("run.started") && event.data().get("resumed").asBoolean())) {
                resumed++;
            }
        }
        // The previous build gave up the runs it held when it stopped; this one went on with them.
        assertThat(resumed).as("runs taken over from the previous build").isPositive();
    }

    /**
     * The previous build cuts short the tool calls in progress when it stops (this one lets them finish): a run taken
     * over from it in the middle of one waits for a person, as the call may have been made. The test decides as the
     * person would, knowing from the upstream whether it was: run it if not, and go on without it if it was.
     */
    private static void decideCutShortCalls(Api api, TestUpstream upstream, List<String> runs) {
        Map<String, String> markers = new java.util.HashMap<>();
        runs.forEach(entry -> markers.put(entry.split(" ")[0], entry.split(" ")[1]));
        api.get("/api/v1/runs?agent=upgrade-bot&limit=200&status=requires_action").json().get("items").forEach(run -> {
            if (run.path("error").asString("").contains("may have run before the process stopped")) {
                String id = run.get("id").asString();
                boolean made = upstream.hits("/echo?run=" + markers.get(id)) > 0;
                api.post("/api/v1/runs/" + id + "/decision", Map.of("decision", made ? "reject" : "approve"));
            }
        });
    }

    private static String enqueue(Api api, String marker) {
        Api.Reply accepted = api.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", "upgrade-bot", "input",
                "[[drip:100]] use upgrade__record with {\"run\":\"" + marker + "\"}")).send();
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        return accepted.json().at("/run/id").asString() + " " + marker;
    }

    private static int completed(Api api) {
        return api.get("/api/v1/runs?agent=upgrade-bot&limit=200&status=completed").json().get("items").size();
    }

    /**
     * The previous build's packaged jar, built once per commit into {@code target/upgrade}: its sources taken from
     * this repository's history with {@code git archive}, packaged by its own Maven wrapper without its tests.
     */
    static Path previousBuild() throws IOException, InterruptedException {
        String commit = Files.readAllLines(Path.of("deploy/upgrade/previous-release")).stream()
            .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).findFirst().orElseThrow();
        Path folder = Path.of("target/upgrade").toAbsolutePath();
        Path jar = folder.resolve(commit + ".jar");
        if (Files.exists(jar)) {
            return jar;
        }
        Path sources = folder.resolve(commit);
        Files.createDirectories(sources);
        run(List.of("sh", "-c", "git archive --format=tar \"$0\" | tar -x -C \"$1\"", commit, sources.toString()),
                Path.of("."), "the previous build's sources (this repository's history must hold " + commit + ")");
        run(List.of("./mvnw", "-B", "-q", "-Dmaven.test.skip=true", "-Dimage.skip=true", "package"), sources,
                "the previous build's jar");
        Path built = Files.move(sources.resolve("target/retinue.jar"), folder.resolve(commit + ".jar.part"),
                StandardCopyOption.REPLACE_EXISTING);
        return Files.move(built, jar, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void run(List<String> command, Path directory, String what) throws IOException,
            InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(15, TimeUnit.MINUTES)).as(what).isTrue();
        assertThat(process.exitValue()).as("%s: %s", what, output.length() > 4000
                ? output.substring(output.length() - 4000) : output).isZero();
    }
}
