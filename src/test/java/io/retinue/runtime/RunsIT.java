package io.retinue.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.retinue.testing.Agents;
import io.retinue.testing.Api;
import io.retinue.testing.Api.Reply;
import io.retinue.testing.FakeModelServer;
import io.retinue.testing.PlatformIT;
import io.retinue.testing.StatementLog;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Synchronous runs with the built-in demo model: prompt, tool calls through the tools module, limits, records. */
class RunsIT extends PlatformIT {

    private String publishedAgent(Api as, String tool, Integer maxSteps, String provider) {
        ObjectNode body = Agents.create(uniqueSlug("runner"), Map.of());
        ObjectNode config = (ObjectNode) body.get("config");
        config.set("tools", Api.JSON.valueToTree(tool == null ? List.of() : List.of(Map.of("name", tool))));
        if (maxSteps != null) {
            config.set("limits", Api.JSON.createObjectNode().put("maxSteps", maxSteps));
        }
        if (provider != null) {
            ((ObjectNode) config.get("model")).put("provider", provider);
        }
        String slug = body.get("slug").asString();
        assertThat(as.post("/api/v1/agents", body).status()).isEqualTo(201);
        assertThat(as.post("/api/v1/agents/" + slug + "/versions/1/publish", "").status()).isEqualTo(200);
        return slug;
    }

    private Reply run(Api as, String agent, String input) {
        return as.post("/api/v1/runs", Map.of("agent", agent, "input", input, "variables", Map.of("company", "ACME")));
    }

    @Test
    void aSyncRunAsksTheModelForItsWholeAnswerAndJournalsNoDeltas() {
        Api owner = newTenant(api, "rw").owner();
        String slug = publishedAgent(owner, null, null, "fake");
        Reply reply = run(owner, slug, "[[drip:5]] a few words to answer whole");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.json().at("/run/output").asString()).isEqualTo("fake model: [[drip:5]] a few words to answer whole");
        assertThat(FakeModelServer.get().lastRequest().path("stream").asBoolean(false)).isFalse();
        String id = reply.json().at("/run/id").asString();
        assertThat(owner.call("GET", "/api/v1/runs/" + id + "/events?after=0").stream().types())
            .containsExactly("run.started", "step.finished", "run.completed");
    }

    /** The caller's trace goes on to the model: the model call is a child span of the request's. */
    @Test
    void aModelCallCarriesTheCallersTrace() {
        Api owner = newTenant(api, "rt").owner();
        String slug = publishedAgent(owner, null, null, "fake");
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        Reply reply = owner.call("POST", "/api/v1/runs")
            .header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01")
            .json(Map.of("agent", slug, "input", "traced", "variables", Map.of("company", "ACME")))
            .send();
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(FakeModelServer.get().lastTraceparent()).startsWith("00-" + trace + "-")
            .doesNotContain("00f067aa0ba902b7");
    }

    @Autowired
    private DataSource dataSource;

    /**
     * With no run queued or in progress anywhere, the scout looks for claimable runs every few seconds instead of
     * every second (a query each time, on every idle instance); a run accepted here still starts at once.
     */
    @Test
    void anIdleScoutLooksForClaimableRunsEveryFewSecondsNotEverySecond() throws Exception {
        org.springframework.jdbc.core.simple.JdbcClient jdbc = org.springframework.jdbc.core.simple.JdbcClient.create(dataSource);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> jdbc
            .sql("SELECT COUNT(*) FROM runtime.run WHERE status IN ('queued', 'running', 'cancelling')")
            .query(Long.class).single() == 0);
        List<StatementLog.Sent> sent = ((StatementLog) dataSource).sentWhileIdle(java.time.Duration.ofSeconds(4));
        assertThat(sent.stream().filter(statement -> statement.sql()
                .contains("SELECT id FROM runtime.run WHERE (status IN ('queued', 'running', 'cancelling')")).count())
            .as("the scout's looks for claimable runs in 4 s of idling").isLessThanOrEqualTo(1);
        assertThat(sent.stream().filter(statement -> statement.sql().contains("SELECT id, tenant_id FROM runtime.run")))
            .as("claims by idle workers, which wait to be woken").isEmpty();

        Api owner = newTenant(api, "ri").owner();
        String slug = publishedAgent(owner, null, null, null);
        long asked = System.nanoTime();
        Reply accepted = owner.call("POST", "/api/v1/runs?mode=async")
            .json(Map.of("agent", slug, "input", "hi", "variables", Map.of("company", "ACME"))).send();
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String location = accepted.header("Location").orElseThrow();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(50))
            .until(() -> owner.get(location).json().toString().contains("\"completed\""));
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - asked))
            .as("started once accepted, not at the scout's next look").isLessThan(java.time.Duration.ofSeconds(3));
    }

    /**
     * A cancel that another instance took (it only marks the run; nobody interrupts this instance's call) while the
     * run was finishing: the cancel was answered first, so the run ends cancelled — its step keeps the answer — and
     * its session gains nothing.
     */
    @Test
    void aRunCancelledElsewhereAsItCompletesEndsCancelledNotCompleted() throws Exception {
        Api owner = newTenant(api, "rx").owner();
        String slug = publishedAgent(owner, null, null, "fake");
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var waiting = pool.submit(() -> run(owner, slug, "[[slow:1500]] finish me"));
            String running = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> owner.get("/api/v1/runs?agent=" + slug + "&status=running").json().at("/items/0/id")
                    .asString(null), java.util.Objects::nonNull);
            int marked = org.springframework.jdbc.core.simple.JdbcClient.create(dataSource)
                .sql("UPDATE runtime.run SET status = 'cancelling' WHERE id = :id AND status = 'running'")
                .param("id", java.util.UUID.fromString(running))
                .update();
            assertThat(marked).isEqualTo(1);

            JsonNode ended = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS).json();
            assertThat(ended.at("/run/status").asString()).as(ended.toString()).isEqualTo("cancelled");
            assertThat(ended.at("/run/errorCode").asString()).isEqualTo("cancelled");
            assertThat(ended.at("/run/output").isNull() || ended.at("/run/output").isMissingNode()).isTrue();
            assertThat(ended.at("/steps/0/detail").asString()).contains("finish me");
        }
    }

    /**
     * What one waited-for run costs the database, counted on the thread that served the request: its start is one
     * transaction; its model step and its end (with the run's event, checkpoint and webhook bookkeeping) are one more;
     * the rest are reads (the agent's spec not among them: the runtime keeps it). Every commit waits for the disk on a
     * real database, so this is what a run's latency there is made of.
     */
    @Test
    void aOneStepRunIsTwoTransactions() {
        Api owner = newTenant(api, "rc").owner();
        String slug = publishedAgent(owner, null, null, "fake");
        assertThat(run(owner, slug, "warm up").status()).isEqualTo(201);
        StatementLog log = (StatementLog) dataSource;
        log.recording(true);
        Reply reply;
        try {
            reply = run(owner, slug, "What do I cost?");
        }
        finally {
            log.recording(false);
        }
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.json().at("/run/status").asString()).isEqualTo("completed");
        List<Long> starters = log.sent().stream()
            .filter(sent -> sent.sql().startsWith("INSERT INTO runtime.run ("))
            .map(StatementLog.Sent::thread)
            .toList();
        assertThat(starters).hasSize(1);
        List<StatementLog.Sent> request = log.sent().stream().filter(sent -> sent.thread() == starters.getFirst()).toList();
        List<String> transactions = request.stream()
            .filter(sent -> sent.sql().equals("COMMIT") || sent.autoCommit() && sent.writes())
            .map(StatementLog.Sent::sql)
            .toList();
        assertThat(transactions).as("%s", request).containsExactly("COMMIT", "COMMIT");
        assertThat(request).as("the run is answered (and its webhook found) from what was written, not read back")
            .noneMatch(sent -> sent.sql().matches("(?s)SELECT .* FROM runtime\\.run WHERE .*"));
        assertThat(request).as("what a run starts from is kept in its own row: no checkpoint row to write and delete")
            .noneMatch(sent -> sent.sql().contains("runtime.run_checkpoint"));
        assertThat(request).as("the agent's spec is kept by the runtime after the first run")
            .noneMatch(sent -> sent.sql().contains("FROM agents.agent"));
        assertThat(request).as("a tenant with no budgets has its runs' model calls look at none")
            .noneMatch(sent -> sent.sql().contains("runtime.budget"));
        // Two of them are the outbox rows of the run's end, one per module that takes it (runtime, analytics).
        assertThat(request.stream().filter(sent -> !sent.sql().equals("COMMIT"))).as("%s", request).hasSizeLessThanOrEqualTo(8);
    }

    /**
     * A tool-using run keeps its conversation after the model asks for the tool, as the tool call starts and once it
     * is done: the first of these is inserted (a run started at once has no checkpoint row before it), the others
     * update it, and the run's end deletes it.
     */
    @Test
    void aToolUsingRunWritesItsCheckpointsWithoutAWastedStatement() {
        Api owner = newTenant(api, "rw").owner();
        String slug = publishedAgent(owner, "builtin.calculator", null, "fake");
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "builtin.*", "effect", "allow"));
        String input = "use builtin__calculator with {\"expression\":\"2+3\"}";
        assertThat(run(owner, slug, input).status()).isEqualTo(201);
        StatementLog log = (StatementLog) dataSource;
        log.recording(true);
        Reply reply;
        try {
            reply = run(owner, slug, input);
        }
        finally {
            log.recording(false);
        }
        assertThat(reply.json().at("/run/status").asString()).as(reply.toString()).isEqualTo("completed");
        long starter = log.sent().stream()
            .filter(sent -> sent.sql().startsWith("INSERT INTO runtime.run ("))
            .map(StatementLog.Sent::thread)
            .findFirst()
            .orElseThrow();
        List<StatementLog.Sent> request = log.sent().stream().filter(sent -> sent.thread() == starter).toList();
        assertThat(request.stream().filter(sent -> sent.sql().contains("runtime.run_checkpoint"))
            .map(sent -> sent.sql().substring(0, sent.sql().indexOf(' '))))
            .as("%s", request)
            .containsExactly("INSERT", "UPDATE", "UPDATE", "DELETE");
        assertThat(request.stream().filter(sent -> !sent.sql().equals("COMMIT"))).as("%s", request)
            .hasSizeLessThanOrEqualTo(25);
    }

    /**
     * A sync run is answered from what its instance wrote rather than read back: the answer is exactly what reading
     * the run gives, whichever way it ended — with tool steps and a cost, a detail cut to 16 KiB, a provider's error,
     * a limit, a wait for approval.
     */
    @Test
    void aSyncRunIsAnsweredExactlyAsItIsKept() {
        Api owner = newTenant(api, "rk").owner();
        String tools = publishedAgent(owner, "builtin.calculator", null, "fake");
        String oneStep = publishedAgent(owner, "builtin.calculator", 1, "fake");
        String plain = publishedAgent(owner, null, null, "fake");
        String failing = publishedAgent(owner, null, null, "fake-failing");
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + tools, "tools", "builtin.*", "effect", "allow"));
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + oneStep, "tools", "builtin.*", "effect",
                "allow"));
        List<Reply> replies = List.of(
                run(owner, tools, "use builtin__calculator with {\"expression\":\"2+3\"}"),
                run(owner, oneStep, "use builtin__calculator with {\"expression\":\"1+1\"}"),
                run(owner, plain, "long " + "x".repeat(20_000)),
                run(owner, failing, "hello [[status:401]]"));
        // The failing provider's breaker may be open from another test: either way the provider's error ends the run.
        assertThat(replies.stream().map(reply -> reply.json().at("/run/status").asString() + ":"
                + reply.json().at("/run/errorCode").asString("").replaceFirst("^provider_.*", "provider")))
            .containsExactly("completed:", "failed:max_steps", "completed:", "failed:provider");
        assertThat(replies.get(0).json().at("/run/estimatedCostUsd").isNull()).isFalse();
        assertThat(replies.get(2).json().at("/steps/0/detail").asString()).endsWith("…[truncated]");

        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + plain, "tools", "builtin.calculator", "effect",
                "require_approval"));
        String waits = publishedAgent(owner, "builtin.calculator", null, null);
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + waits, "tools", "builtin.calculator", "effect",
                "require_approval"));
        Reply waiting = run(owner, waits, "What is 6 * 7?");
        assertThat(waiting.json().at("/run/status").asString()).isEqualTo("requires_action");

        for (Reply reply : java.util.stream.Stream.concat(replies.stream(), java.util.stream.Stream.of(waiting)).toList()) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
            Reply read = owner.get("/api/v1/runs/" + reply.json().at("/run/id").asString());
            assertThat(reply.json()).as(reply.toString()).isEqualTo(read.json());
        }
    }

    @Test
    void aToolUsingRunCallsTheToolThroughTheToolsModuleAndAnswers() {
        Api owner = newTenant(api, "rn").owner();
        String slug = publishedAgent(owner, "builtin.calculator", null, null);
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "builtin.calculator", "effect", "allow"));

        Reply reply = run(owner, slug, "What is 6 * 7?");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        JsonNode run = reply.json().get("run");
        assertThat(run.get("status").asString()).isEqualTo("completed");
        assertThat(run.get("output").asString()).startsWith("[demo model]").contains("42");
        assertThat(reply.json().get("steps").valueStream().map(s -> s.get("kind").asString() + ":" + s.get("outcome").asString()))
            .containsExactly("model:tool_calls", "tool:completed", "model:answer");
        assertThat(run.get("tokensIn").asLong()).isPositive();

        JsonNode toolStep = reply.json().at("/steps/1");
        assertThat(toolStep.at("/arguments/expression").asString()).isEqualTo("6 * 7");
        assertThat(toolStep.get("resultBytes").asInt()).isEqualTo(toolStep.get("detail").asString().length());
        assertThat(toolStep.get("executionId").asString()).isEqualTo(
                owner.get("/api/v1/tool-executions?tool=builtin.calculator").json().at("/items/0/id").asString());

        String id = run.get("id").asString();
        assertThat(owner.get("/api/v1/runs/" + id).json().at("/run/status").asString()).isEqualTo("completed");
        assertThat(owner.get("/api/v1/runs?agent=" + slug).json().get("items")).hasSize(1);
        assertThat(owner.get("/api/v1/tool-executions?tool=builtin.calculator").json().at("/items/0/agent").asString())
            .isEqualTo(slug);
        assertThat(api.get("/api/v1/runs/" + id).status()).as("another tenant").isEqualTo(404);
    }

    @Test
    void aToolWithoutAGrantIsNotOfferedAndApprovalStopsTheRun() {
        Api owner = newTenant(api, "rg").owner();
        String slug = publishedAgent(owner, "builtin.calculator", null, null);
        JsonNode ungranted = run(owner, slug, "What is 6 * 7?").json();
        assertThat(ungranted.at("/run/status").asString()).isEqualTo("completed");
        assertThat(ungranted.at("/run/output").asString()).contains("You said");

        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "builtin.calculator", "effect",
                "require_approval"));
        JsonNode waiting = run(owner, slug, "What is 6 * 7?").json();
        assertThat(waiting.at("/run/status").asString()).isEqualTo("requires_action");
        assertThat(waiting.at("/run/errorCode").asString()).isEqualTo("approval_required");
        assertThat(waiting.at("/run/error").asString()).contains("Waiting for approval of builtin.calculator");
    }

    @Test
    void limitsAndMissingProvidersEndRunsWithAClearStatus() {
        Api owner = newTenant(api, "rl").owner();
        String oneStep = publishedAgent(owner, "builtin.calculator", 1, null);
        owner.post("/api/v1/tool-grants", Map.of("subject", "*", "tools", "builtin.*", "effect", "allow"));
        JsonNode limited = run(owner, oneStep, "What is 1 + 1?").json();
        assertThat(limited.at("/run/status").asString()).isEqualTo("failed");
        assertThat(limited.at("/run/error").asString()).contains("limit of 1 steps");

        String elsewhere = publishedAgent(owner, null, null, "openai");
        JsonNode unconfigured = run(owner, elsewhere, "Hello").json();
        assertThat(unconfigured.at("/run/status").asString()).isEqualTo("failed");
        assertThat(unconfigured.at("/run/error").asString()).contains("'openai' is not configured");

        Reply missing = owner.post("/api/v1/runs", Map.of("agent", oneStep, "input", "hi"));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.json().at("/errors/0/pointer").asString()).isEqualTo("/variables");
        assertThat(owner.post("/api/v1/runs", Map.of("agent", "nope", "input", "hi")).status()).isEqualTo(409);
    }

    @Test
    void runsAgainstAnOpenAiCompatibleProviderWithToolCalls() {
        io.retinue.testing.FakeModelServer model = io.retinue.testing.FakeModelServer.get();
        Api owner = newTenant(api, "ro").owner();
        String slug = publishedAgent(owner, "builtin.calculator", null, "fake");
        owner.post("/api/v1/tool-grants", Map.of("subject", "agent:" + slug, "tools", "builtin.*", "effect", "allow"));

        Reply reply = run(owner, slug, "use builtin__calculator with {\"expression\":\"2+3\"}");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        JsonNode run = reply.json().get("run");
        assertThat(run.get("status").asString()).as(reply.toString()).isEqualTo("completed");
        assertThat(run.get("output").asString()).startsWith("fake model: the tool said").contains("5");
        assertThat(reply.json().get("steps").valueStream().map(s -> s.get("kind").asString() + ":" + s.get("name").asString()))
            .containsExactly("model:fake/demo-echo", "tool:builtin.calculator", "model:fake/demo-echo");
        assertThat(run.get("tokensIn").asLong()).isEqualTo(40);
        assertThat(run.get("estimatedCostUsd").decimalValue())
            .as("40 in at 1.5 and 14 out at 6 USD per million tokens")
            .isEqualByComparingTo(new java.math.BigDecimal("0.000144"));

        JsonNode sent = model.lastRequest();
        assertThat(sent.get("model").asString()).isEqualTo("demo-echo");
        assertThat(sent.at("/messages/0/role").asString()).isEqualTo("system");
        assertThat(sent.at("/messages/0/content").toString()).contains("ACME");
        assertThat(sent.get("tools").valueStream().map(tool -> tool.at("/function/name").asString()))
            .containsExactly("builtin__calculator");
    }

    @Test
    void providerFailuresAreClassifiedAndOnlyTransientOnesRetried() {
        io.retinue.testing.FakeModelServer model = io.retinue.testing.FakeModelServer.get();
        Api owner = newTenant(api, "rf").owner();
        String healthy = publishedAgent(owner, null, null, "fake");
        String failing = publishedAgent(owner, null, null, "fake-failing");

        int before = model.calls();
        JsonNode flaky = run(owner, healthy, "hello [[flaky:1]] " + java.util.UUID.randomUUID()).json();
        assertThat(flaky.at("/run/status").asString()).isEqualTo("completed");
        assertThat(model.calls() - before).as("a 503 retried, then success").isEqualTo(2);

        before = model.calls();
        JsonNode unauthorized = run(owner, failing, "hello [[status:401]]").json();
        assertThat(unauthorized.at("/run/status").asString()).isEqualTo("failed");
        assertThat(unauthorized.at("/run/errorCode").asString()).isEqualTo("provider_auth");
        assertThat(unauthorized.at("/run/error").asString()).startsWith("HTTP 401");
        assertThat(model.calls() - before).as("a wrong key is not retried").isEqualTo(1);
        assertThat(run(owner, failing, "hello [[status:400]]").json().at("/run/errorCode").asString())
            .isEqualTo("provider_context_too_long");

        before = model.calls();
        JsonNode limited = run(owner, failing, "hello [[status:429]]").json();
        assertThat(limited.at("/run/errorCode").asString()).isEqualTo("provider_rate_limited");
        assertThat(model.calls() - before).as("rate limits are retried").isEqualTo(3);
        JsonNode paused = run(owner, failing, "hello [[status:429]] again").json();
        assertThat(paused.at("/run/errorCode").asString()).as("repeated transient failures open the breaker")
            .isEqualTo("provider_unavailable");
        assertThat(paused.at("/run/error").asString()).contains("paused");
    }

    @Test
    void asyncRunsAnswerAtOnceAndAnyRunCanBeCancelled() {
        Api owner = newTenant(api, "ra").owner();
        String slug = publishedAgent(owner, null, null, "fake");

        Reply accepted = owner.call("POST", "/api/v1/runs?mode=async")
            .json(Map.of("agent", slug, "input", "[[slow:300]] hello", "variables", Map.of("company", "ACME"))).send();
        assertThat(accepted.status()).isEqualTo(202);
        String location = accepted.header("Location").orElseThrow();
        assertThat(accepted.json().at("/run/status").asString()).as("the run as it was accepted").isEqualTo("queued");
        assertThat(accepted.json().get("steps")).isEmpty();
        assertThat(location).isEqualTo("/api/v1/runs/" + accepted.json().at("/run/id").asString());
        assertThat(accepted.json().at("/run/createdAt")).isEqualTo(owner.get(location).json().at("/run/createdAt"));
        assertThat(accepted.json().at("/run/startedAt").isNull()).as("queued: not started yet").isTrue();
        assertThat(accepted.json().at("/run/finishedAt").isNull()).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
            .until(() -> owner.get(location).json().at("/run/status").asString().equals("completed"));
        JsonNode done = owner.get(location).json().get("run");
        java.time.Instant created = java.time.Instant.parse(done.get("createdAt").asString());
        java.time.Instant began = java.time.Instant.parse(done.get("startedAt").asString());
        assertThat(began).as("started when a worker took it").isAfterOrEqualTo(created);
        assertThat(java.time.Instant.parse(done.get("finishedAt").asString())).isAfterOrEqualTo(began);
        assertThat(done.get("waitingSince").isNull()).isTrue();
        assertThat(owner.get(location).json().at("/run/output").asString()).isEqualTo("fake model: [[slow:300]] hello");

        Reply slow = owner.call("POST", "/api/v1/runs?mode=async")
            .json(Map.of("agent", slug, "input", "[[slow:5000]] take your time", "variables", Map.of("company", "ACME"))).send();
        String slowRun = slow.header("Location").orElseThrow();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
            .until(() -> owner.get(slowRun).json().at("/run/status").asString().equals("running"));
        long started = System.nanoTime();
        Reply cancelled = owner.post(slowRun + "/cancel", "");
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().at("/run/status").asString()).as("answered once cancelled, not 'cancelling'")
            .isEqualTo("cancelled");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(4))
            .until(() -> owner.get(slowRun).json().at("/run/status").asString().equals("cancelled"));
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("the in-flight model call is abandoned")
            .isLessThan(java.time.Duration.ofSeconds(4));
        assertThat(owner.post(slowRun + "/cancel", "").status()).as("already ended").isEqualTo(409);
        assertThat(owner.call("POST", "/api/v1/runs?mode=later").json(Map.of("agent", slug, "input", "x")).send().status())
            .isEqualTo(400);
    }

    @Test
    void runsAreListedByAgentSessionStatusAndTimeAPageAtATime() {
        Api owner = newTenant(api, "rq").owner();
        String slug = publishedAgent(owner, null, null, null);
        String other = publishedAgent(owner, null, null, null);
        String session = owner.post("/api/v1/sessions", Map.of("agent", slug)).json().get("id").asString();
        java.time.Instant before = java.time.Instant.now().minusSeconds(1);
        List<String> inSession = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inSession.add(owner.post("/api/v1/runs", Map.of("agent", slug, "session", session, "input", "turn " + i,
                    "variables", Map.of("company", "ACME"))).json().at("/run/id").asString());
        }
        run(owner, slug, "alone");
        run(owner, other, "elsewhere");

        JsonNode first = owner.get("/api/v1/runs?session=" + session + "&limit=2").json();
        assertThat(first.get("items").valueStream().map(r -> r.get("id").asString()))
            .containsExactly(inSession.get(2), inSession.get(1));
        String cursor = first.get("nextCursor").asString();
        JsonNode second = owner.get("/api/v1/runs?session=" + session + "&limit=2&cursor=" + cursor).json();
        assertThat(second.get("items").valueStream().map(r -> r.get("id").asString())).containsExactly(inSession.get(0));
        assertThat(second.get("nextCursor").isNull()).isTrue();
        assertThat(owner.get("/api/v1/runs?agent=" + slug + "&limit=2&cursor=" + cursor).status())
            .as("a cursor is bound to its filters").isEqualTo(400);

        assertThat(owner.get("/api/v1/runs?agent=" + slug + "&status=completed").json().get("items")).hasSize(4);
        assertThat(owner.get("/api/v1/runs?since=" + before).json().get("items")).hasSize(5);
        assertThat(owner.get("/api/v1/runs?until=" + before).json().get("items")).isEmpty();
    }

    @Test
    void sessionsCarryTheConversationAndRunOneTurnAtATime() {
        io.retinue.testing.FakeModelServer model = io.retinue.testing.FakeModelServer.get();
        Api owner = newTenant(api, "rs").owner();
        String slug = publishedAgent(owner, "builtin.calculator", null, "fake");
        owner.post("/api/v1/tool-grants", Map.of("subject", "*", "tools", "builtin.*", "effect", "allow"));
        String session = owner.post("/api/v1/sessions", Map.of("agent", slug, "metadata", Map.of("channel", "web")))
            .json().get("id").asString();

        Reply first = owner.post("/api/v1/runs", Map.of("agent", slug, "session", session, "input",
                "use builtin__calculator with {\"expression\":\"1+1\"}", "variables", Map.of("company", "ACME")));
        assertThat(first.json().at("/run/status").asString()).as(first.toString()).isEqualTo("completed");
        Reply second = owner.post("/api/v1/runs", Map.of("agent", slug, "session", session, "input", "and now?",
                "variables", Map.of("company", "ACME")));
        assertThat(second.json().at("/run/status").asString()).isEqualTo("completed");
        JsonNode sent = model.lastRequest().get("messages");
        assertThat(sent.valueStream().map(m -> m.get("role").asString()))
            .as("the second turn sees the first: system, user, assistant tool call, tool result, assistant, user")
            .containsExactly("system", "user", "assistant", "tool", "assistant", "user");

        JsonNode stored = owner.get("/api/v1/sessions/" + session).json();
        assertThat(stored.get("messages").valueStream().map(m -> m.get("role").asString()))
            .containsExactly("user", "assistant", "tool", "assistant", "user", "assistant");
        assertThat(stored.at("/session/metadata/channel").asString()).isEqualTo("web");
        assertThat(stored.at("/messages/1/toolCalls/0/name").asString()).as("named as the tool is, not as providers are sent it")
            .isEqualTo("builtin.calculator");
        assertThat(stored.at("/messages/2/toolCalls/0/name").asString()).isEqualTo("builtin.calculator");
        assertThat(sent.at("/2/tool_calls/0/function/name").asString()).as("the model is sent its own form")
            .isEqualTo("builtin__calculator");

        Reply slow = owner.call("POST", "/api/v1/runs?mode=async").json(Map.of("agent", slug, "session", session,
                "input", "[[slow:1500]] busy", "variables", Map.of("company", "ACME"))).send();
        assertThat(slow.status()).isEqualTo(202);
        Reply rejected = owner.post("/api/v1/runs", Map.of("agent", slug, "session", session, "input", "me too",
                "variables", Map.of("company", "ACME")));
        assertThat(rejected.status()).isEqualTo(409);
        assertThat(rejected.json().get("type").asString()).endsWith("/runtime/session-busy");
        assertThat(owner.delete("/api/v1/sessions/" + session).status()).isEqualTo(409);
        Reply queued = owner.post("/api/v1/runs", Map.of("agent", slug, "session", session, "input", "after you",
                "variables", Map.of("company", "ACME"), "multitask", "queue"));
        assertThat(queued.json().at("/run/status").asString()).isEqualTo("completed");
        assertThat(owner.get("/api/v1/sessions/" + session).json().get("messages")).hasSize(10);
        Reply inUse = owner.delete("/api/v1/agents/" + slug);
        assertThat(inUse.status()).as("an agent with a session bound to it stays").isEqualTo(409);
        assertThat(inUse.json().get("type").asString()).endsWith("/agents/agent-in-use");
        assertThat(inUse.json().at("/dependents/0").asString()).contains("session");
        assertThat(owner.delete("/api/v1/sessions/" + session).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/sessions/" + session).status()).isEqualTo(404);
        assertThat(owner.delete("/api/v1/agents/" + slug).status()).isEqualTo(204);
    }

    @Test
    void structuredAnswersAreValidatedWithOneRepairAttempt() {
        Api owner = newTenant(api, "rj").owner();
        ObjectNode body = Agents.create(uniqueSlug("structured"), Map.of());
        ObjectNode config = (ObjectNode) body.get("config");
        ((ObjectNode) config.get("model")).put("provider", "fake");
        config.set("responseFormat", Api.JSON.valueToTree(Map.of("type", "json_schema", "schema", Map.of("type", "object",
                "required", List.of("answer"), "properties", Map.of("answer", Map.of("type", "string"))))));
        String slug = body.get("slug").asString();
        owner.post("/api/v1/agents", body);
        owner.post("/api/v1/agents/" + slug + "/versions/1/publish", "");

        JsonNode direct = run(owner, slug, "[[json:{\"answer\":\"yes\"}]]").json();
        assertThat(direct.at("/run/status").asString()).as(direct.toString()).isEqualTo("completed");
        assertThat(Api.JSON.readTree(direct.at("/run/output").asString()).get("answer").asString()).isEqualTo("yes");

        JsonNode repaired = run(owner, slug, "[[repair-json:{\"answer\":\"fixed\"}]]").json();
        assertThat(repaired.at("/run/status").asString()).as(repaired.toString()).isEqualTo("completed");
        assertThat(repaired.at("/run/output").asString()).contains("fixed");
        assertThat(repaired.get("steps")).hasSize(2);

        JsonNode hopeless = run(owner, slug, "just talk").json();
        assertThat(hopeless.at("/run/status").asString()).isEqualTo("failed");
        assertThat(hopeless.at("/run/errorCode").asString()).isEqualTo("structured_output_invalid");
        assertThat(hopeless.at("/run/error").asString()).contains("not JSON");
    }
}
